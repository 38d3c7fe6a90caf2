package org.wegeft.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.GELU;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Sequential;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

class TrainerTest {
    private static final int N = 64;
    private static final int IN = 4;
    private static final int CLASSES = 3;

    /** Synthetic classification: label = argmax of a fixed linear map of x; batches built lazily. */
    record Data(float[] x, int[] y, int batch) implements BatchSource<Data.Batch> {
        record Batch(float[] x, int[] y) {
        }

        static Data make(int batch) {
            SplittableRandom r = new SplittableRandom(99);
            float[] x = new float[N * IN];
            int[] y = new int[N];
            for (int i = 0; i < N; i++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < IN; j++) {
                    x[i * IN + j] = (float) (r.nextDouble() * 2 - 1);
                }
                for (int c = 0; c < CLASSES; c++) {
                    double s = x[i * IN + c] - 0.5 * x[i * IN + (c + 1) % IN];
                    if (s > best) {
                        best = s;
                        y[i] = c;
                    }
                }
            }
            return new Data(x, y, batch);
        }

        @Override
        public Iterator<Batch> epoch(int epoch, long seed) {
            int[] order = new int[N];
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < N; i++) {
                int j = r.nextInt(i + 1);
                order[i] = order[j];
                order[j] = i;
            }
            List<Batch> out = new ArrayList<>();
            for (int b = 0; b < N / batch; b++) {
                float[] bx = new float[batch * IN];
                int[] by = new int[batch];
                for (int i = 0; i < batch; i++) {
                    System.arraycopy(x, order[b * batch + i] * IN, bx, i * IN, IN);
                    by[i] = y[order[b * batch + i]];
                }
                out.add(new Batch(bx, by));
            }
            return out.iterator();
        }

        @Override
        public long batchesPerEpoch() {
            return N / batch;
        }

        @Override
        public long samples(Batch b) {
            return b.y().length;
        }
    }

    private static Sequential mlp(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Sequential(new Linear(IN, 16, true, rng), new GELU(), new Linear(16, CLASSES, true, rng));
    }

    private static Tensor loss(Module m, Data.Batch b) {
        Tensor logits = ((Sequential) m).forward(Tensor.of(b.x(), b.y().length, IN));
        return Functional.crossEntropy(logits, Tensor.ofInts(b.y(), b.y().length));
    }

    private static Trainer<Data.Batch> trainer(Module m, TrainConfig c, Data d) {
        return new Trainer<>(m, c, TrainerTest::loss, d).progress(null, false);
    }

    private static TrainConfig base() {
        return TrainConfig.steps(20, 0.01).withSchedule(LrSchedule.Kind.COSINE, 3, 0.1).withWeightDecay(0.01)
                .withGradClip(1.0).withSeed(42);
    }

    @Test
    void aFixedSeedGivesBitIdenticalLosses() {
        float[] a = trainer(mlp(1), base(), Data.make(8)).run().losses();
        float[] b = trainer(mlp(1), base(), Data.make(8)).run().losses();
        assertEquals(20, a.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "loss " + i);
        }
        float[] c = trainer(mlp(1), base().withSeed(43), Data.make(8)).run().losses();
        assertFalse(java.util.Arrays.equals(a, c), "another seed orders the batches differently");
    }

    @Test
    void lossDecreasesOnALearnableTask() {
        float[] l = trainer(mlp(3), TrainConfig.epochs(15, 0.02).withSeed(1), Data.make(8)).run().losses();
        assertEquals(15 * 8, l.length);
        double first = (l[0] + l[1] + l[2] + l[3]) / 4;
        double last = (l[l.length - 1] + l[l.length - 2] + l[l.length - 3] + l[l.length - 4]) / 4;
        assertTrue(last < 0.5 * first, "loss " + first + " → " + last);
    }

    @Test
    void twoAccumulatedMicroBatchesEqualOneDoubleBatch() {
        Sequential a = mlp(4);
        Sequential b = mlp(4);
        TrainConfig c = TrainConfig.steps(1, 0.1).withSeed(5);
        trainer(a, c.withAccumulation(2), Data.make(4)).optimizer(new SGD(ParamGroups.all(a, 0), 0.1, 0)).run();
        trainer(b, c, Data.make(8)).optimizer(new SGD(ParamGroups.all(b, 0), 0.1, 0)).run();
        a.namedParameters().forEach((k, t) -> {
            float[] x = t.toFloatArray();
            float[] y = b.namedParameters().get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(y[i], x[i], 1e-6, k + "[" + i + "]");
            }
        });
    }

    @Test
    void gradientHookRunsBeforeTheOptimizerStepAndItsLossIsRecorded() {
        Sequential a = mlp(4);
        Sequential b = mlp(4);
        TrainConfig c = TrainConfig.steps(6, 0.1).withSeed(5);
        List<Long> steps = new ArrayList<>();
        float[] hooked = trainer(a, c, Data.make(8)).optimizer(new SGD(ParamGroups.all(a, 0), 0.1, 0))
                .gradientHook((step, trainable, loss) -> {
                    steps.add(step);
                    assertEquals(a.trainableParameters().size(), trainable.size());
                    for (Tensor p : trainable) {
                        p.grad().mulInPlace(0.5f);
                    }
                    return loss + 1f;
                }).run().losses();
        TrainConfig halfLr = TrainConfig.steps(6, 0.05).withSeed(5);
        float[] plain = trainer(b, halfLr, Data.make(8)).optimizer(new SGD(ParamGroups.all(b, 0), 0.05, 0)).run()
                .losses();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), steps);
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i] + 1f, hooked[i], 1e-5, "recorded loss " + i + " is the hook's");
        }
        a.namedParameters().forEach((k, t) -> {
            float[] x = t.toFloatArray();
            float[] y = b.namedParameters().get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(y[i], x[i], 1e-6, "halved gradients at lr 0.1 = lr 0.05: " + k + "[" + i + "]");
            }
        });
    }

    @Test
    void evaluatorRunsEveryKStepsInEvalModeAndMetricsAreJsonLines(@TempDir Path dir) throws IOException {
        AtomicInteger calls = new AtomicInteger();
        Sequential m = mlp(2);
        TrainResult r = trainer(m, base().withEvalEvery(5).withLogEvery(4).withOutput(dir, 0), Data.make(8))
                .evaluator(model -> {
                    assertFalse(model.isTraining());
                    return Map.of("acc", (double) calls.incrementAndGet());
                }).run();
        assertEquals(4, calls.get());
        assertEquals(Map.of("acc", 4.0), r.lastEval());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
            lines.add(json.readTree(line));
        }
        List<Long> logged = lines.stream().filter(n -> n.has("loss")).map(n -> n.get("step").asLong()).toList();
        assertEquals(List.of(4L, 8L, 12L, 16L, 20L), logged);
        JsonNode first = lines.getFirst();
        for (String f : List.of("loss", "lr", "grad_norm", "elapsed_s")) {
            assertTrue(first.get(f).isNumber(), f + " in " + first);
        }
        assertEquals(r.losses()[3], first.get("loss").floatValue());
        assertEquals(4, lines.stream().filter(n -> n.has("eval_acc")).count());
    }

    @Test
    void checkpointsAreCompleteAndResumingReplaysTheSameLosses(@TempDir Path dir) {
        float[] full = trainer(mlp(1), base().withOutput(dir, 10), Data.make(8)).run().losses();
        Path ck = dir.resolve("checkpoint-10");
        for (String f : List.of(Checkpoint.TRAINABLE, Checkpoint.OPTIMIZER, Checkpoint.STATE)) {
            assertTrue(Files.isRegularFile(ck.resolve(f)), f);
        }
        assertEquals(10, Checkpoint.readState(ck).step());
        float[] resumed = trainer(mlp(7), base(), Data.make(8)).resumeFrom(ck).run().losses();
        assertEquals(10, resumed.length);
        for (int i = 0; i < 10; i++) {
            assertEquals(Float.floatToRawIntBits(full[10 + i]), Float.floatToRawIntBits(resumed[i]), "loss " + (10 + i));
        }
    }

    @Test
    void aFailedCheckpointWriteLeavesNoFolder(@TempDir Path dir) throws IOException {
        Tensor closed = Tensor.ones(3);
        closed.close();
        Map<String, Tensor> trainable = Map.of("w", Tensor.ones(2, 2));
        OptimizerState broken = new OptimizerState(Map.of("w.exp_avg", closed), Map.of());
        assertThrows(RuntimeException.class, () -> Checkpoint.write(dir.resolve("checkpoint-1"), trainable, broken,
                new TrainerState(1, 0, 1, 0, 1, 0.1)));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "neither the checkpoint nor its temporary folder remains");
        }
    }

    @Test
    void progressLineShowsStepLossLrThroughputAndEta() {
        String line = ProgressBar.line(5, 20, 0.6931, 1e-3, 2.5, 20, 65);
        for (String part : List.of("step 5/20", "loss 0.6931", "lr 1.00e-03", "2.50 steps/s", "20.0 samples/s",
                "ETA 1:05", "[######..................]")) {
            assertTrue(line.contains(part), part + " in " + line);
        }
    }
}
