package org.wegeft.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.Module;
import org.wegeft.nn.train.Trainer;
import org.wegeft.tensor.Tensor;
import org.wegeft.vision.data.ImageBatch;

/** SparkTrainer in local mode: two barrier tasks, up to two attempts of each (local[2,2]). */
class SparkTrainerTest {
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("SparkTrainerTest")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    private static Map<String, float[]> singleProcess(TinyVitJob job) {
        Module m = job.createModel();
        new Trainer<ImageBatch>(m, job.config(), job.step(), job.source(0, 1)).progress(null, false).run();
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        m.trainableParameters().forEach((k, t) -> out.put(k, t.toFloatArray()));
        return out;
    }

    /** ‖a − b‖ / ‖b‖ of one tensor. */
    private static double relative(float[] a, float[] b) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < a.length; i++) {
            d += (double) (a[i] - b[i]) * (a[i] - b[i]);
            n += (double) b[i] * b[i];
        }
        return Math.sqrt(d / Math.max(n, 1e-30));
    }

    @Test
    void twoReplicasEndWithTheWeightsOfOneProcessOnTheWholeBatch() {
        TinyVitJob job = TinyVitJob.tiny(20, null, 0);
        DistributedResult r = new SparkTrainer<>(sc, job, 2).run();
        Map<String, float[]> single = singleProcess(job);
        assertEquals(2, r.replicas().size());
        assertTrue(r.replicasAgree(), "replicas in lock-step end bit-identical");
        assertEquals(single.keySet(), r.trainable().keySet());
        double worst = 0;
        for (var e : single.entrySet()) {
            double rel = relative(r.trainable().get(e.getKey()), e.getValue());
            worst = Math.max(worst, rel);
            assertTrue(rel <= 1e-5, e.getKey() + ": relative difference " + rel);
        }
        float[] phi = r.trainable().entrySet().stream().filter(e -> e.getKey().endsWith("wegeft_phi.weight"))
                .findFirst().orElseThrow().getValue();
        assertTrue(java.util.stream.IntStream.range(0, phi.length).anyMatch(i -> phi[i] != 0f),
                "phi moved from its zero initialisation");
        assertEquals(20, r.losses().length);
        System.out.printf("2 replicas vs 1 process, 20 steps: worst relative difference %.3g over %d tensors;"
                + " loss %.4f -> %.4f%n", worst, single.size(), r.losses()[0], r.losses()[19]);
    }

    @Test
    void aReplicaThatFailsMidRunIsRetriedFromRank0sCheckpointToTheSameWeights(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("plain");
        Path failed = dir.resolve("failed");
        DistributedResult ref = new SparkTrainer<>(sc, TinyVitJob.tiny(20, plain.toString(), 5), 2).run();
        DistributedResult r = new SparkTrainer<>(sc, TinyVitJob.tiny(20, failed.toString(), 5), 2)
                .injectFailure(new InjectedFailure(1, 12)).run();
        assertEquals(0, ref.startStep());
        assertEquals(10, r.startStep(), "the retry resumed from checkpoint-10, the last before step 12");
        assertTrue(Files.isDirectory(failed.resolve("checkpoint-20")));
        assertTrue(r.replicasAgree());
        for (var e : ref.trainable().entrySet()) {
            assertArrayEquals(e.getValue(), r.trainable().get(e.getKey()), e.getKey() + " equals the uninterrupted run's");
        }
        float[] tail = java.util.Arrays.copyOfRange(ref.losses(), 10, 20);
        assertArrayEquals(tail, r.losses(), "the resumed run's losses are the uninterrupted run's steps 10..19");
        long metricLines = Files.readAllLines(failed.resolve("metrics.jsonl")).size();
        assertTrue(metricLines >= 4, "rank 0 wrote metrics: " + metricLines + " lines");
    }
}
