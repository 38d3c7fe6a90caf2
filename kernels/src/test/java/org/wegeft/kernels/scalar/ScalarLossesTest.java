package org.wegeft.kernels.scalar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.kernels.TestBuffers.assertClose;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.ints;
import static org.wegeft.kernels.TestBuffers.toArray;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.KernelBackend;

/** Embedding and cross-entropy; the torch constants come from tools/fixtures/scalar_reference_values.py. */
class ScalarLossesTest {
    private final KernelBackend scalar = new ScalarBackend();

    private static final float[] LOGITS = {1.0f, -2.0f, 0.5f, 3.0f, 0.0f, 0.2f, 0.1f, -0.3f, 1.7f, -1.1f,
        2.0f, 2.0f, 2.0f, 2.0f, 2.0f};
    private static final int[] TARGETS = {3, 0, 2};
    private static final double[] TORCH_CE = {0.24211861841607732, 1.9831493592728378, 1.6094379124341003};
    private static final double[] TORCH_CE_SMOOTH = {0.4921186184160773, 1.9911493592728378, 1.6094379124341003};
    private static final double[][] TORCH_GRAD_SMOOTH = {
        {0.08623319818452829, -0.014710960499050048, 0.04443369177824487, -0.13503693904570258, 0.019081009581979346},
        {-0.7823649083227993, 0.10453738098434101, 0.06347990295458139, 0.5968376860646885, 0.01750993831918825},
        {0.18000000000000002, 0.18000000000000002, -0.72, 0.18000000000000002, 0.18000000000000002}};

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void crossEntropyEqualsMinusLogSoftmaxOfTheTarget() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment losses = floats(arena, new float[3]);
            int counted = scalar.crossEntropy(floats(arena, LOGITS), ints(arena, TARGETS), losses, MemorySegment.NULL,
                    3, 5, -100, 0f);
            assertEquals(3, counted);
            float[] direct = new float[3];
            for (int r = 0; r < 3; r++) {
                double z = 0;
                for (int j = 0; j < 5; j++) {
                    z += Math.exp(LOGITS[r * 5 + j]);
                }
                direct[r] = (float) -Math.log(Math.exp(LOGITS[r * 5 + TARGETS[r]]) / z);
            }
            assertClose("loss vs log-softmax", direct, toArray(losses, 3), 0, 1e-6);
            assertClose("loss vs torch", toFloats(TORCH_CE), toArray(losses, 3), 0, 1e-6);
        }
    }

    @Test
    void labelSmoothingMatchesTorchLossAndGradient() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment losses = floats(arena, new float[3]);
            MemorySegment dlogits = floats(arena, new float[15]);
            scalar.crossEntropy(floats(arena, LOGITS), ints(arena, TARGETS), losses, dlogits, 3, 5, -100, 0.1f);
            assertClose("smoothed loss", toFloats(TORCH_CE_SMOOTH), toArray(losses, 3), 1e-7, 1e-6);
            float[] grad = new float[15];
            for (int r = 0; r < 3; r++) {
                for (int j = 0; j < 5; j++) {
                    grad[r * 5 + j] = (float) TORCH_GRAD_SMOOTH[r][j];
                }
            }
            assertClose("smoothed dlogits", grad, toArray(dlogits, 15), 1e-7, 1e-6);
        }
    }

    @Test
    void ignoredRowsGiveZeroLossZeroGradientAndAreNotCounted() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment losses = floats(arena, 9f, 9f, 9f);
            MemorySegment dlogits = floats(arena, new float[15]);
            scalar.fill(dlogits, 15, 9f);
            int counted = scalar.crossEntropy(floats(arena, LOGITS), ints(arena, 3, -100, -100), losses, dlogits, 3,
                    5, -100, 0.1f);
            assertEquals(1, counted);
            float[] l = toArray(losses, 3);
            assertEquals((float) TORCH_CE_SMOOTH[0], l[0], 1e-6f);
            assertArrayEquals(new float[] {0f, 0f}, new float[] {l[1], l[2]});
            float[] g = toArray(dlogits, 15);
            for (int j = 5; j < 15; j++) {
                assertEquals(0f, g[j], "dlogits[" + j + "] of an ignored row");
            }
        }
    }

    @Test
    void crossEntropyRejectsATargetOutOfRangeNamingTheRow() {
        try (Arena arena = Arena.ofConfined()) {
            var e = assertThrows(IndexOutOfBoundsException.class, () -> scalar.crossEntropy(floats(arena, LOGITS),
                    ints(arena, 3, 5, 0), floats(arena, new float[3]), MemorySegment.NULL, 3, 5, -100, 0f));
            assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("5"), e.getMessage());
        }
    }

    @Test
    void embeddingGathersRowsAndScatterAddsGradients() {
        // table (3 × 2) = [[0,1],[10,11],[20,21]], ids [2, 0, 2]
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = ints(arena, 2, 0, 2);
            MemorySegment out = floats(arena, new float[6]);
            scalar.embedding(ids, floats(arena, 0, 1, 10, 11, 20, 21), out, 3, 3, 2);
            assertArrayEquals(new float[] {20, 21, 0, 1, 20, 21}, toArray(out, 6));
            MemorySegment dtable = floats(arena, 1, 1, 1, 1, 1, 1);
            scalar.embeddingBackward(ids, floats(arena, 1, 2, 3, 4, 5, 6), dtable, 3, 3, 2);
            assertArrayEquals(new float[] {4, 5, 1, 1, 7, 9}, toArray(dtable, 6));
        }
    }

    @Test
    void embeddingRejectsAnIdOutOfRangeNamingPositionAndValue() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment table = floats(arena, new float[6]);
            var e = assertThrows(IndexOutOfBoundsException.class,
                    () -> scalar.embedding(ints(arena, 0, 1, 9), table, floats(arena, new float[6]), 3, 3, 2));
            assertTrue(e.getMessage().contains("ids[2] = 9"), e.getMessage());
            var e2 = assertThrows(IndexOutOfBoundsException.class,
                    () -> scalar.embeddingBackward(ints(arena, -1), floats(arena, 0, 0), table, 1, 3, 2));
            assertTrue(e2.getMessage().contains("ids[0] = -1"), e2.getMessage());
        }
    }
}
