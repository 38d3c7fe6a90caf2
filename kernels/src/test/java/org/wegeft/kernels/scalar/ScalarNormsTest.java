package org.wegeft.kernels.scalar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.random;
import static org.wegeft.kernels.TestBuffers.toArray;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.kernels.KernelBackend;

class ScalarNormsTest {
    private final KernelBackend scalar = new ScalarBackend();

    @ParameterizedTest(name = "rows={0} cols={1} causal={2} tq={3}")
    @CsvSource({"1,1,false,1", "3,7,false,3", "4,4,true,4", "6,5,true,3", "8,3,true,4"})
    void softmaxRowsSumToOneAndCausalEntriesAreZero(int rows, int cols, boolean causal, int tq) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, new Random(rows * 31L + cols), rows * cols, -5f, 5f);
            MemorySegment y = floats(arena, new float[rows * cols]);
            scalar.softmax(x, y, rows, cols, causal, tq);
            float[] out = toArray(y, (long) rows * cols);
            for (int r = 0; r < rows; r++) {
                double sum = 0;
                int lastVisible = causal ? r % tq + cols - tq : cols - 1;
                for (int j = 0; j < cols; j++) {
                    float p = out[r * cols + j];
                    if (j > lastVisible) {
                        assertEquals(0f, p, "masked entry row " + r + " col " + j);
                    } else {
                        assertEquals(true, p > 0f, "visible entry row " + r + " col " + j);
                    }
                    sum += p;
                }
                // a fully masked row (tq > cols) sums to zero
                assertEquals(lastVisible < 0 ? 0.0 : 1.0, sum, 1e-6, "row " + r);
            }
        }
    }

    @Test
    void softmaxIsShiftInvariant() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y1 = floats(arena, new float[3]);
            MemorySegment y2 = floats(arena, new float[3]);
            scalar.softmax(floats(arena, 1f, 2f, 3f), y1, 1, 3, false, 1);
            scalar.softmax(floats(arena, 1001f, 1002f, 1003f), y2, 1, 3, false, 1);
            double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
            float[] want = {(float) (Math.exp(1) / e), (float) (Math.exp(2) / e), (float) (Math.exp(3) / e)};
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, toArray(y1, 3));
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, toArray(y2, 3));
        }
    }

    @Test
    void layerNormOutputHasMeanZeroAndVarianceOne() {
        int rows = 5;
        int cols = 33;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, new Random(7), rows * cols, 10f, 14f);
            MemorySegment y = floats(arena, new float[rows * cols]);
            MemorySegment mean = floats(arena, new float[rows]);
            MemorySegment rstd = floats(arena, new float[rows]);
            scalar.layerNorm(x, MemorySegment.NULL, MemorySegment.NULL, y, mean, rstd, rows, cols, 0f);
            float[] out = toArray(y, rows * cols);
            float[] in = toArray(x, rows * cols);
            for (int r = 0; r < rows; r++) {
                double m = 0;
                double v = 0;
                double inMean = 0;
                for (int j = 0; j < cols; j++) {
                    m += out[r * cols + j];
                    inMean += in[r * cols + j];
                }
                m /= cols;
                for (int j = 0; j < cols; j++) {
                    v += (out[r * cols + j] - m) * (out[r * cols + j] - m);
                }
                assertEquals(0.0, m, 1e-6, "row " + r + " mean");
                assertEquals(1.0, v / cols, 1e-5, "row " + r + " biased variance");
                assertEquals(inMean / cols, toArray(mean, rows)[r], 1e-5, "row " + r + " saved mean");
            }
        }
    }

    @Test
    void layerNormAppliesGammaAndBetaPerColumn() {
        // x = [1, 3]: mean 2, var 1, eps 0 → xhat = [−1, 1]; gamma = [2, 3], beta = [10, 20] → [8, 23]
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y = floats(arena, new float[2]);
            MemorySegment mean = floats(arena, 0f);
            MemorySegment rstd = floats(arena, 0f);
            scalar.layerNorm(floats(arena, 1f, 3f), floats(arena, 2f, 3f), floats(arena, 10f, 20f), y, mean, rstd,
                    1, 2, 0f);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {8f, 23f}, toArray(y, 2));
            assertEquals(2f, toArray(mean, 1)[0]);
            assertEquals(1f, toArray(rstd, 1)[0]);
        }
    }

    @Test
    void rmsNormOutputHasUnitRootMeanSquare() {
        // x = [3, 4]: mean(x²) = 12.5 → rstd = 1/sqrt(12.5); weight [1, 2]
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment y = floats(arena, new float[2]);
            MemorySegment rstd = floats(arena, 0f);
            scalar.rmsNorm(floats(arena, 3f, 4f), floats(arena, 1f, 2f), y, rstd, 1, 2, 0f);
            double r = 1 / Math.sqrt(12.5);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {(float) (3 * r), (float) (8 * r)},
                    toArray(y, 2));
            assertEquals((float) r, toArray(rstd, 1)[0]);
            MemorySegment y2 = floats(arena, new float[2]);
            scalar.rmsNorm(floats(arena, 3f, 4f), MemorySegment.NULL, y2, rstd, 1, 2, 0f);
            float[] o = toArray(y2, 2);
            assertEquals(1.0, (o[0] * o[0] + o[1] * o[1]) / 2.0, 1e-6);
        }
    }
}
