package org.wegeft.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/** Bucketed averaging overlapped with backward gives the bits of one all-reduce after it, and fails cleanly. */
class GradientAveragerTest {
    /** Parameter sizes: some span several ring blocks, some are tiny. */
    private static final int[] SIZES = {70_001, 3, 40_000, 5, 33_000, 1};
    /** No gradient on rank 1. */
    private static final int MISSING_ON_RANK_1 = 1;
    /** No gradient anywhere. */
    private static final int UNUSED = 5;

    /** The gradients rank {@code rank} computes: p_i's is c_i, random per rank. */
    private static float[] coefficients(int rank, int i) {
        SplittableRandom r = new SplittableRandom(100L * rank + i);
        float[] c = new float[SIZES[i]];
        for (int k = 0; k < c.length; k++) {
            c[k] = (float) (r.nextDouble() * 2 - 1);
        }
        return c;
    }

    private static boolean used(int rank, int i) {
        return i != UNUSED && !(i == MISSING_ON_RANK_1 && rank == 1);
    }

    /** What one replica's step gives: the averaged gradients (null: none) and the mean loss (last entry). */
    private static List<float[]> step(GradientAverager avg, int rank) {
        try (TensorScope scope = TensorScope.open()) {
            List<Tensor> params = new ArrayList<>();
            for (int size : SIZES) {
                params.add(Tensor.zeros(size).requiresGrad(true));
            }
            Tensor loss = Tensor.scalar(0f);
            for (int i = 0; i < SIZES.length; i++) {
                if (used(rank, i)) {
                    loss = loss.add(params.get(i).mul(Tensor.of(coefficients(rank, i), SIZES[i])).sum());
                }
            }
            avg.beforeLastBackward(0, params);
            loss.backward();
            float mean = avg.afterBackward(0, params, 1f + rank);
            List<float[]> out = new ArrayList<>();
            for (Tensor p : params) {
                out.add(p.grad() == null ? null : p.grad().toFloatArray());
            }
            out.add(new float[] {mean});
            params.forEach(Tensor::close);
            return out;
        }
    }

    @Test
    void bucketsOverlappedWithBackwardGiveTheBitsOfOneReductionAfterIt() throws Exception {
        int ranks = 3;
        // each rank: first unbucketed (one vector after backward), then in buckets of 100 kB, on one ring
        List<List<List<float[]>>> got = LoopbackRing.run(ranks, Duration.ofSeconds(60), ring -> {
            List<List<float[]>> both = new ArrayList<>();
            try (GradientAverager whole = new GradientAverager(ring, 0);
                 GradientAverager bucketed = new GradientAverager(ring, 100_000)) {
                both.add(step(whole, ring.rank()));
                both.add(step(bucketed, ring.rank()));
            }
            return both;
        });
        List<float[]> reference = got.get(0).get(0);
        for (int rank = 0; rank < ranks; rank++) {
            for (int mode = 0; mode < 2; mode++) {
                List<float[]> g = got.get(rank).get(mode);
                for (int i = 0; i <= SIZES.length; i++) {
                    String what = "rank " + rank + (mode == 0 ? " whole" : " bucketed") + ", parameter " + i;
                    if (i == UNUSED) {
                        assertNull(g.get(i), what + " has no gradient anywhere and keeps none");
                    } else {
                        assertArrayEquals(reference.get(i), g.get(i), what);
                    }
                }
            }
        }
        assertEquals((1f + 2f + 3f) / 3f, reference.get(SIZES.length)[0], 1e-6, "mean loss");
        for (int i = 0; i < SIZES.length; i++) {
            if (i == UNUSED) {
                continue;
            }
            double[] sum = new double[SIZES[i]];
            for (int rank = 0; rank < ranks; rank++) {
                if (used(rank, i)) {
                    float[] c = coefficients(rank, i);
                    for (int k = 0; k < sum.length; k++) {
                        sum[k] += c[k];
                    }
                }
            }
            for (int k = 0; k < sum.length; k++) {
                assertEquals(sum[k] / ranks, reference.get(i)[k], 1e-6, "parameter " + i + " element " + k);
            }
        }
    }

    @Test
    void aRingThatBreaksMidBucketFailsTheStepOnEveryReplica() {
        List<Throwable> errors = assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                LoopbackRing.run(2, Duration.ofSeconds(60), ring -> {
                    try (TensorScope scope = TensorScope.open();
                         GradientAverager avg = new GradientAverager(ring, 4 << 20)) {
                        List<Tensor> params = new ArrayList<>();
                        Tensor loss = Tensor.scalar(0f);
                        for (int i = 0; i < 4; i++) {
                            Tensor p = Tensor.zeros(1 << 20).requiresGrad(true);
                            params.add(p);
                            loss = loss.add(p.mul(Tensor.randn(i, 1 << 20)).sum());
                        }
                        avg.beforeLastBackward(0, params);
                        loss.backward();                     // the ring thread is reducing the first buckets
                        if (ring.rank() == 1) {
                            ring.close();                    // the replica dies while they are on the wire
                        }
                        try {
                            avg.afterBackward(0, params, 0f);
                            return null;
                        } catch (RuntimeException e) {
                            return e;
                        }
                    }
                }));
        for (int rank = 0; rank < 2; rank++) {
            Throwable e = errors.get(rank);
            assertNotNull(e, "rank " + rank + " must fail");
            assertInstanceOf(UncheckedIOException.class, e, "rank " + rank);
            assertTrue(e.getMessage().contains("gradient all-reduce of step 0 failed"), e.getMessage());
        }
        assertTrue(errors.get(0).getMessage().contains("rank 1"), errors.get(0).getMessage());
    }
}
