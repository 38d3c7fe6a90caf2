package org.wegeft.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.lossesByStep;
import static org.wegeft.cli.CliRun.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.cli.CliRun.Result;
import org.wegeft.cli.TinyLlama;
import org.wegeft.distributed.CausalLmJob;
import org.wegeft.distributed.DistributedResult;
import org.wegeft.distributed.InjectedFailure;
import org.wegeft.distributed.SparkRun;
import org.wegeft.distributed.SparkTrainer;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.llm.data.LmData;
import org.wegeft.llm.train.LmTrainSpec;
import org.wegeft.nn.train.Trainer;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.TensorInfo;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;

/**
 * Training on a Spark standalone cluster of two worker JVMs with one core each ({@link LocalSparkCluster}), the
 * driver in this JVM with {@code spark.jars} = {@code target/wegeft.jar} as {@code spark-submit} sets it: ViT and
 * LLM runs through {@code --spark-master spark://…} end with the weights of one process on the whole batch, and a
 * worker killed mid-run is recovered from rank 0's checkpoint to the uninterrupted run's adapter and losses. The
 * command-line runs come first (each makes its own Spark context); the library runs then share one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkClusterTest {
    private static final Path TRAIN = Path.of("..", "examples", "data", "digits-train.arrow");
    private static final Path TEST = Path.of("..", "examples", "data", "digits-test.arrow");
    private static final double BOUND = 1e-6;
    /**
     * Full fine-tuning: an AdamW step moves a weight by about the learning rate whatever the size of its gradient, a
     * sizeable fraction of these small random weights, so the rounding of the replicas' gradient sums (another order
     * than one process's) shows in more digits than with an adapter.
     */
    private static final double FULL_BOUND = 1e-5;

    @TempDir
    static Path tmp;
    static LocalSparkCluster cluster;
    static Path llama;
    static Path records;
    static Path vit;
    static JavaSparkContext sc;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalSparkCluster.start(tmp.resolve("cluster"), 2);
        // what spark-submit hands the driver as system properties: the application jar, the executors' JVM options
        System.setProperty("spark.jars", Path.of("target", "wegeft.jar").toAbsolutePath().toString());
        // one compute thread per one-core executor; the quick JIT and the serial collector suit their tiny jobs
        System.setProperty("spark.executor.extraJavaOptions", SparkRun.EXECUTOR_JAVA_OPTIONS
                + " -Dwegeft.threads=1 -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        System.setProperty("spark.driver.host", "127.0.0.1");
        System.setProperty("spark.driver.bindAddress", "127.0.0.1");
        llama = TinyLlama.save(tmp.resolve("llama"), TinyLlama.KJV.resolve("tokenizer_config.json"));
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 12; i++) {     // answers of different lengths: the replicas' token counts differ
            b.append(String.format(Locale.ROOT, "{\"instruction\": \"What is %d plus %d?\", \"output\": \"%s\"}%n",
                    i, 2 * i, "It is " + (3 * i) + ", the sum" + " indeed".repeat(i % 4)));
        }
        records = Files.writeString(tmp.resolve("train.jsonl"), b.toString());
        vit = tmp.resolve("vit");
        new VisionTransformer(VitConfig.of(28, 7, 32, 2, 2, 10), 7).save(vit);
    }

    @Test
    @Order(0)
    void theDaemonsRunTheJarsTheDriverRuns() throws IOException {
        List<String> driver = List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator));
        String[] spark = Files.readString(Path.of("..", "spark-runtime", "target", "spark-classpath.txt")).strip()
                .split(java.io.File.pathSeparator);
        assertTrue(spark.length > 50, "Spark's class path: " + spark.length + " jars");
        for (String jar : spark) {
            assertTrue(driver.contains(jar), jar + " (Spark's class path) is not the driver's; align the versions in"
                    + " spark-runtime/pom.xml");
        }
        assertTrue(java.util.Arrays.stream(spark).noneMatch(j -> j.contains("wegeft")), "no wegeft jar in Spark's");
    }

    @AfterAll
    static void stopCluster() {
        if (sc != null) {
            sc.stop();
        }
        for (String k : List.of("spark.jars", "spark.executor.extraJavaOptions", "spark.driver.host",
                "spark.driver.bindAddress")) {
            System.clearProperty(k);
        }
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.livePids(), "no JVM of the cluster is left");
        }
    }

    private static String[] llm(String method, long steps, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("llm", "train", "--model", llama.toString(), "--data",
                records.toString(), "--template", "plain", "--method", method, "--rank", "4", "--dropout", "0",
                "--steps", Long.toString(steps), "--lr", "0.01", "--batch", "4", "--max-length", "64", "--out",
                out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    @Order(1)
    void llmWegeftOnTwoWorkersEndsWithTheWeightsOfOneProcess() throws IOException {
        Path one = tmp.resolve("llm-one");
        Path two = tmp.resolve("llm-two");
        ok(run(llm("wegeft", 20, one)));
        ok(run(llm("wegeft", 20, two, "--spark-master", cluster.masterUrl(), "--replicas", "2")));
        Worst worst = worstRelative(one.resolve("adapter_model.safetensors"), two.resolve("adapter_model.safetensors"));
        System.out.printf(Locale.ROOT, "llm wegeft, 2 workers vs 1 process, 20 steps: max relative difference %.3g"
                + " (%s)%n", worst.relative(), worst.tensor());
        assertTrue(worst.relative() <= BOUND, worst.toString());
        assertEquals(lossesByStep(one.resolve("metrics.jsonl")).keySet(),
                lossesByStep(two.resolve("metrics.jsonl")).keySet());
    }

    @Test
    @Order(2)
    void vitWegeftOnTwoWorkersEndsWithTheWeightsOfOneProcess() throws IOException {
        Path one = tmp.resolve("vit-one");
        Path two = tmp.resolve("vit-two");
        String[] base = {"vit", "train", "--model", vit.toString(), "--train", TRAIN.toString(), "--eval",
                TEST.toString(), "--no-progress", "--method", "wegeft", "--rank", "4", "--steps", "20", "--batch", "8"};
        ok(run(concat(base, "--out", one.toString())));
        ok(run(concat(base, "--out", two.toString(), "--spark-master", cluster.masterUrl(), "--replicas", "2")));
        Worst worst = worstRelative(one.resolve("adapter_model.safetensors"), two.resolve("adapter_model.safetensors"));
        System.out.printf(Locale.ROOT, "vit wegeft, 2 workers vs 1 process, 20 steps: max relative difference %.3g"
                + " (%s)%n", worst.relative(), worst.tensor());
        assertTrue(worst.relative() <= BOUND, worst.toString());
    }

    /** The llm train run of {@link #llm} as the library's description of it. */
    private static LmTrainSpec spec(String method, long steps) {
        return new LmTrainSpec(llama.toAbsolutePath().toString(), new LmData(records.toAbsolutePath().toString(),
                "messages", "text", "plain", null, false), 64, false, method, 4, null, 0.0,
                List.of("q", "k", "v", "up", "down"), true, 1, steps, 0.01, 0, 4, 0, 1, false, false);
    }

    /** One Spark context on the cluster for the tests that drive the library (the command line makes its own). */
    private static JavaSparkContext context() {
        if (sc == null) {
            sc = SparkRun.context("SparkClusterTest", cluster.masterUrl(), 2);
        }
        return sc;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lora", "full"})
    @Order(3)
    void llmLoraAndFullFineTuningOnTwoWorkersEndLikeOneProcess(String method) throws IOException {
        Path one = tmp.resolve(method + "-one");
        Path two = tmp.resolve(method + "-two");
        CausalLmJob single = new CausalLmJob(spec(method, 3), one, one, 0);
        var model = single.createModel();
        Trainer<LmBatch> t = new Trainer<>(model, single.config(), single.step(), single.source(0, 1));
        single.configure(t, 0);
        t.progress(null, false).run();
        single.finish(model);
        DistributedResult r = new SparkTrainer<>(context(), new CausalLmJob(spec(method, 3), two, two, 0), 2)
                .timeout(Duration.ofMinutes(2)).run();
        assertEquals(method.equals("lora"), !r.trainable().isEmpty(), "full fine-tuning sends no weights back");
        String file = method.equals("full") ? "model.safetensors" : "adapter_model.safetensors";
        Worst worst = worstRelative(one.resolve(file), two.resolve(file));
        System.out.printf(Locale.ROOT, "llm %s, 2 workers vs 1 process, 3 steps: max relative difference %.3g (%s)%n",
                method, worst.relative(), worst.tensor());
        assertTrue(worst.relative() <= (method.equals("full") ? FULL_BOUND : BOUND), worst.toString());
    }

    @Test
    @Order(4)
    void aWorkerKilledMidRunIsRecoveredToTheUninterruptedRunsAdapterAndLosses() throws Exception {
        LmTrainSpec spec = spec("wegeft", 20);
        Path plain = tmp.resolve("fault-plain");
        Path killed = tmp.resolve("fault-killed");
        Path marker = tmp.resolve("held-replica.pid");
        JavaSparkContext spark = context();
        DistributedResult ref = new SparkTrainer<>(spark, new CausalLmJob(spec, plain, plain.resolve("checkpoints"), 5),
                2).timeout(Duration.ofMinutes(2)).run();
        // replica 1 stops at step 12 (after checkpoint-10) and announces its executor's process id
        CompletableFuture<DistributedResult> run = CompletableFuture.supplyAsync(() -> new SparkTrainer<>(spark,
                new CausalLmJob(spec, killed, killed.resolve("checkpoints"), 5), 2).timeout(Duration.ofMinutes(2))
                .injectFailure(InjectedFailure.holdAt(1, 12, marker)).run());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (LocalSparkCluster.pidIn(marker).isEmpty()) {
            assertFalse(run.isDone() || System.nanoTime() > deadline, "replica 1 never reached step 12");
            Thread.sleep(50);
        }
        assertTrue(Files.isDirectory(killed.resolve("checkpoints").resolve("checkpoint-10")));
        long worker = cluster.killWorkerOfExecutor(LocalSparkCluster.pidIn(marker).orElseThrow());
        System.out.println("killed worker " + worker + " (SIGKILL) and its executor at step 12; starting another");
        cluster.startWorker();   // the retried barrier stage needs two task slots again
        DistributedResult r = run.get(3, TimeUnit.MINUTES);
        assertEquals(10, r.startStep(), "the retry resumed from checkpoint-10");
        assertTrue(r.replicasAgree());
        assertArrayEquals(Files.readAllBytes(plain.resolve("adapter_model.safetensors")),
                Files.readAllBytes(killed.resolve("adapter_model.safetensors")), "the adapter, bit for bit");
        assertEquals(lossesByStep(plain.resolve("metrics.jsonl")), lossesByStep(killed.resolve("metrics.jsonl")),
                "the loss curve, bit for bit");
        assertArrayEquals(java.util.Arrays.copyOfRange(ref.losses(), 10, 20), r.losses());
    }

    private static void ok(Result r) {
        assertEquals(0, r.status(), r.out() + r.err());
    }

    private static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

    /** A tensor and its relative difference. */
    record Worst(String tensor, double relative) {
    }

    /** The largest ‖a − b‖ / ‖a‖ over the tensors of two safetensors files with the same F32 tensors. */
    static Worst worstRelative(Path a, Path b) {
        Map<String, float[]> ta = floats(a);
        Map<String, float[]> tb = floats(b);
        assertEquals(ta.keySet(), tb.keySet());
        Worst worst = new Worst("", 0);
        for (var e : ta.entrySet()) {
            float[] x = e.getValue();
            float[] y = tb.get(e.getKey());
            double d = 0;
            double n = 0;
            for (int i = 0; i < x.length; i++) {
                d += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
                n += (double) x[i] * x[i];
            }
            double rel = n == 0 ? Math.sqrt(d) : Math.sqrt(d / n);
            if (rel >= worst.relative()) {
                worst = new Worst(e.getKey(), rel);
            }
        }
        return worst;
    }

    private static Map<String, float[]> floats(Path file) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorInfo t : f.tensors()) {
                assertEquals("F32", t.dtype(), t.name());
                float[] v = new float[(int) ((t.end() - t.begin()) / 4)];
                ByteBuffer.wrap(f.readBytes(t.name())).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                out.put(t.name(), v);
            }
        }
        return out;
    }
}
