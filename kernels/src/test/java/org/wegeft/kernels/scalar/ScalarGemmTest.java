package org.wegeft.kernels.scalar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.toArray;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;

class ScalarGemmTest {
    private static final float NAN = Float.NaN;
    private final KernelBackend scalar = new ScalarBackend();

    // A (2×3) = [[1,2,3],[4,5,6]], B (3×2) = [[7,8],[9,10],[11,12]], A·B = [[58,64],[139,154]] (by hand)
    private static final float[] A = {1, 2, 3, 4, 5, 6};
    private static final float[] A_T = {1, 4, 2, 5, 3, 6};
    private static final float[] B = {7, 8, 9, 10, 11, 12};
    private static final float[] B_T = {7, 9, 11, 8, 10, 12};
    private static final float[] AB = {58, 64, 139, 154};

    /** Stores a rows×cols matrix with row stride ld, padding filled with NaN (so reading it shows). */
    private static float[] padded(float[] m, int rows, int cols, int ld) {
        float[] out = new float[rows * ld];
        java.util.Arrays.fill(out, NAN);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(m, r * cols, out, r * ld, cols);
        }
        return out;
    }

    @ParameterizedTest(name = "transA={0} transB={1} pad={2}")
    @CsvSource({"false,false,0", "true,false,0", "false,true,0", "true,true,0",
                "false,false,3", "true,false,2", "false,true,1", "true,true,5"})
    void everyTransposeComboGivesTheHandComputedProduct(boolean transA, boolean transB, int pad) {
        int lda = (transA ? 2 : 3) + pad;
        int ldb = (transB ? 3 : 2) + pad;
        int ldc = 2 + pad;
        float[] a = transA ? padded(A_T, 3, 2, lda) : padded(A, 2, 3, lda);
        float[] b = transB ? padded(B_T, 2, 3, ldb) : padded(B, 3, 2, ldb);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = floats(arena, padded(new float[] {NAN, NAN, NAN, NAN}, 2, 2, ldc));
            var spec = GemmSpec.strided(transA, transB, 2, 2, 3, 1f, 0f, lda, ldb, ldc);
            scalar.gemm(spec, floats(arena, a), floats(arena, b), c);
            float[] out = toArray(c, 2L * ldc);
            assertArrayEquals(AB, new float[] {out[0], out[1], out[ldc], out[ldc + 1]});
            for (int r = 0; r < 2; r++) {
                for (int j = 2; j < ldc; j++) {
                    assertArrayEquals(new float[] {NAN}, new float[] {out[r * ldc + j]}, "C padding was written");
                }
            }
        }
    }

    @Test
    void alphaScalesTheProductAndBetaScalesC() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = floats(arena, 1, 2, 3, 4);
            scalar.gemm(GemmSpec.of(false, false, 2, 2, 3, 2f, 0.5f), floats(arena, A), floats(arena, B), c);
            assertArrayEquals(new float[] {116.5f, 129f, 279.5f, 310f}, toArray(c, 4));
        }
    }

    @Test
    void betaZeroNeverReadsC() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = floats(arena, NAN, Float.POSITIVE_INFINITY, NAN, NAN);
            scalar.gemm(GemmSpec.of(false, false, 2, 2, 3, 1f, 0f), floats(arena, A), floats(arena, B), c);
            assertArrayEquals(AB, toArray(c, 4));
        }
    }

    @Test
    void emptyInnerDimensionLeavesBetaTimesC() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = floats(arena, 1, 2, 3, 4);
            scalar.gemm(GemmSpec.of(false, false, 2, 2, 0, 3f, 2f), floats(arena, 0f), floats(arena, 0f), c);
            assertArrayEquals(new float[] {2, 4, 6, 8}, toArray(c, 4));
        }
    }

    @Test
    void batchedWithSharedBUsesEachAOnce() {
        // A_0 = A, A_1 = −2·A, B shared (strideB = 0): C_0 = AB, C_1 = −2·AB
        float[] a = new float[12];
        for (int i = 0; i < 6; i++) {
            a[i] = A[i];
            a[6 + i] = -2 * A[i];
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = floats(arena, new float[8]);
            var spec = new GemmSpec(false, false, 2, 2, 3, 1f, 0f, 3, 2, 2, 2, 6, 0, 4);
            scalar.gemm(spec, floats(arena, a), floats(arena, B), c);
            assertArrayEquals(new float[] {58, 64, 139, 154, -116, -128, -278, -308}, toArray(c, 8));
        }
    }

    @Test
    void batchedWithGapsBetweenMatricesEqualsSeparateProducts() {
        // two products, each operand separated by a NaN gap of 5 elements
        float[] a = new float[6 + 5 + 6];
        float[] b = new float[6 + 5 + 6];
        java.util.Arrays.fill(a, NAN);
        java.util.Arrays.fill(b, NAN);
        System.arraycopy(A, 0, a, 0, 6);
        System.arraycopy(B, 0, a, 11, 6); // second A is B reshaped (2×3)
        System.arraycopy(B, 0, b, 0, 6);
        System.arraycopy(A, 0, b, 11, 6); // second B is A reshaped (3×2)
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = floats(arena, new float[9]);
            var spec = new GemmSpec(false, false, 2, 2, 3, 1f, 0f, 3, 2, 2, 2, 11, 11, 5);
            scalar.gemm(spec, floats(arena, a), floats(arena, b), c);
            // [[7,8,9],[10,11,12]]·[[1,2],[3,4],[5,6]] = [[76,100],[103,136]] (by hand)
            float[] out = toArray(c, 9);
            assertArrayEquals(new float[] {58, 64, 139, 154, 76, 100, 103, 136},
                    new float[] {out[0], out[1], out[2], out[3], out[5], out[6], out[7], out[8]});
        }
    }
}
