package org.wegeft.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.Dropout;
import org.wegeft.nn.GELU;
import org.wegeft.nn.Identity;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Sequential;
import org.wegeft.nn.Stochastic;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** Exact resume with dropout, skipping of non-finite steps, and stopping after too many of them. */
class ResumeAndFaultsTest {
    static final int IN = 4;

    /** A small classifier WITH dropout (its masks must be the same after a resume). */
    static Sequential mlpWithDropout(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new Sequential(new Linear(IN, 16, true, rng), new GELU(), new Dropout(0.3f, rng.split()),
                new Linear(16, 3, true, rng), new Dropout(0.1f, rng.split()));
    }

    static Tensor loss(Module m, TrainerTest.Data.Batch b) {
        Tensor logits = ((Sequential) m).forward(Tensor.of(b.x(), b.y().length, IN));
        return Functional.crossEntropy(logits, Tensor.ofInts(b.y(), b.y().length));
    }

    static TrainConfig config() {
        return TrainConfig.steps(24, 0.01).withSchedule(LrSchedule.Kind.COSINE, 3, 0.1).withWeightDecay(0.01)
                .withGradClip(1.0).withSeed(42).withLogEvery(1);
    }

    static Trainer<TrainerTest.Data.Batch> trainer(Module m, TrainConfig c, StepFunction<TrainerTest.Data.Batch> f) {
        return new Trainer<>(m, c, f, TrainerTest.Data.make(8)).progress(null, false);
    }

    @Test
    void resumingARunWithDropoutReplaysTheExactLossCurve(@TempDir Path dir) {
        // 24 steps with 8 batches per epoch: the checkpoint at 12 sits in the middle of epoch 1
        float[] full = trainer(mlpWithDropout(1), config().withOutput(dir, 12), ResumeAndFaultsTest::loss)
                .run().losses();
        Path ck = dir.resolve("checkpoint-12");
        TrainerState saved = Checkpoint.readState(ck);
        assertEquals(2, saved.generators().size(), "both dropout generators are saved: " + saved.generators());
        assertTrue(saved.generators().values().stream().allMatch(p -> p[1] > 0), "every generator has drawn");

        float[] resumed = trainer(mlpWithDropout(7), config(), ResumeAndFaultsTest::loss).resumeFrom(ck)
                .run().losses();
        assertEquals(12, resumed.length);
        for (int i = 0; i < 12; i++) {
            assertEquals(Float.floatToRawIntBits(full[12 + i]), Float.floatToRawIntBits(resumed[i]),
                    "loss at step " + (12 + i));
        }

        // control: the same resume with the dropout generators rewound draws other masks, another curve
        Sequential rewound = mlpWithDropout(7);
        Trainer<TrainerTest.Data.Batch> t = trainer(rewound, config(), ResumeAndFaultsTest::loss).resumeFrom(ck);
        rewound.namedModules().values().stream().filter(m -> m instanceof Stochastic)
                .forEach(m -> ((Stochastic) m).generator().position(0));
        // (the seeds were restored from the checkpoint; only the positions are rewound)
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(full, 12, 24), t.run().losses()),
                "without the generator positions the resumed curve differs (so the test above can fail)");
    }

    @Test
    void aCheckpointOfAnotherModelIsRejectedByName(@TempDir Path dir) {
        trainer(mlpWithDropout(1), config().withOutput(dir, 12), ResumeAndFaultsTest::loss).run();
        Sequential noDropout = new Sequential(new Linear(IN, 16, true, new SplittableRandom(1)), new GELU(),
                new Identity(), new Linear(16, 3, true, new SplittableRandom(2)), new Identity());
        var e = assertThrows(IllegalArgumentException.class,
                () -> trainer(noDropout, config(), ResumeAndFaultsTest::loss).resumeFrom(dir.resolve("checkpoint-12")));
        assertTrue(e.getMessage().contains(Checkpoint.STATE), e.getMessage());
    }

    /** The loss at the steps picked by {@code bad} is made non-finite in the loss or only in the gradient. */
    static StepFunction<TrainerTest.Data.Batch> poisoned(IntPredicate bad, boolean gradientOnly) {
        AtomicInteger calls = new AtomicInteger();
        return (m, b) -> {
            Tensor l = loss(m, b);
            if (!bad.test(calls.getAndIncrement())) {
                return l;
            }
            if (!gradientOnly) {
                return l.mul(Float.NaN);
            }
            // d/dw sqrt(0·w) = +inf at 0 while the value stays 0: a finite loss with an infinite gradient
            Tensor w = m.trainableParameters().values().iterator().next();
            return l.add(w.mul(0f).sqrt().sum());
        };
    }

    @Test
    void nonFiniteStepsAreSkippedCountedAndLogged(@TempDir Path dir) throws IOException {
        Sequential m = mlpWithDropout(3);
        TrainResult r = trainer(m, config().withOutput(dir, 0), poisoned(i -> i == 4 || i == 9, false)).run();
        assertTrue(Float.isNaN(r.losses()[4]) && Float.isNaN(r.losses()[9]));
        assertEquals(24, r.steps());
        Sequential g = mlpWithDropout(3);
        trainer(g, config().withOutput(dir.resolve("g"), 0), poisoned(i -> i == 6, true)).run();
        for (Module mod : List.of(m, g)) {
            for (Tensor p : mod.trainableParameters().values()) {
                for (float v : p.toFloatArray()) {
                    assertTrue(Float.isFinite(v), "a skipped step never reaches the parameters");
                }
            }
        }
        List<JsonNode> recs = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
            recs.add(json.readTree(line));
        }
        assertEquals(24, recs.size());
        assertEquals(0, recs.get(3).get("skipped_steps").asLong());
        assertEquals(1, recs.get(4).get("skipped_steps").asLong());
        assertEquals(2, recs.getLast().get("skipped_steps").asLong());
        assertTrue(recs.get(5).get("grad_norm").isNumber(), recs.get(5).toString());
        JsonNode gradBad = json.readTree(Files.readAllLines(dir.resolve("g/metrics.jsonl")).get(6));
        assertEquals(1, gradBad.get("skipped_steps").asLong(), "an infinite gradient alone skips the step: " + gradBad);
    }

    @Test
    void tooManyBadStepsInARowStopWithAUsableCheckpoint(@TempDir Path dir) {
        Sequential m = mlpWithDropout(5);
        var e = assertThrows(TrainingDivergedException.class, () -> trainer(m,
                config().withOutput(dir, 4).withMaxBadSteps(3), poisoned(i -> i >= 7 && i != 8, false)).run());
        // bad at 7, good at 8, bad at 9, 10, 11 → stops after step 12 (the 3rd in a row)
        assertEquals(12, e.step());
        assertTrue(e.getMessage().contains("3 consecutive steps"), e.getMessage());
        Path ck = e.checkpoint();
        assertNotNull(ck);
        assertEquals(ck, Checkpoint.latest(dir).orElseThrow());
        assertEquals(4, Checkpoint.readState(ck).skippedSteps());
        float[] more = trainer(mlpWithDropout(9), config(), ResumeAndFaultsTest::loss).resumeFrom(ck).run().losses();
        for (float l : more) {
            assertTrue(Float.isFinite(l), "training resumes from the last good parameters");
        }
        assertThrows(IllegalArgumentException.class, () -> config().withMaxBadSteps(0));
        assertEquals(TrainConfig.DEFAULT_MAX_BAD_STEPS, TrainConfig.steps(1, 0.1).maxBadSteps());
    }
}
