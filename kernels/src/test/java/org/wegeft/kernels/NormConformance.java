package org.wegeft.kernels;

import static org.wegeft.kernels.ConformanceCase.close;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.toArray;
import static org.wegeft.kernels.TestBuffers.uniform;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Conformance cases for softmax, LayerNorm and RMSNorm, forward and backward. */
final class NormConformance {
    private static final double ATOL = 1e-5;
    private static final double RTOL = 1e-4;

    private NormConformance() {
    }

    static List<ConformanceCase> cases() {
        List<ConformanceCase> cases = new ArrayList<>();
        // {rows, cols, causal, tq}; 12×5 with tq = 6 has fully masked rows (tq > cols)
        int[][] softmaxShapes = {{1, 1, 0, 1}, {3, 7, 0, 1}, {33, 257, 0, 1}, {64, 300, 0, 1}, {1, 1031, 0, 1},
            {8, 8, 1, 8}, {14, 9, 1, 7}, {66, 33, 1, 33}, {12, 5, 1, 6}, {6, 257, 1, 3}};
        for (int[] s : softmaxShapes) {
            cases.add(softmax(s[0], s[1], s[2] == 1, s[3]));
        }
        int[][] rowShapes = {{1, 1}, {3, 7}, {33, 257}, {7, 768}, {64, 300}};
        for (int[] s : rowShapes) {
            cases.add(softmaxBackward(s[0], s[1]));
            for (boolean affine : new boolean[] {true, false}) {
                cases.add(layerNorm(s[0], s[1], affine));
                cases.add(layerNormBackward(s[0], s[1], affine));
                cases.add(rmsNorm(s[0], s[1], affine));
                cases.add(rmsNormBackward(s[0], s[1], affine));
            }
        }
        return cases;
    }

    private static ConformanceCase softmax(int rows, int cols, boolean causal, int tq) {
        String shape = rows + "x" + cols + (causal ? " causal tq=" + tq : "");
        return close("softmax", shape, 1e-6, RTOL, new String[] {"y"}, b -> {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment x = floats(arena, uniform(new Random(shape.hashCode()), rows * cols, -6f, 6f));
                MemorySegment y = floats(arena, new float[rows * cols]);
                b.fill(y, (long) rows * cols, Float.NaN); // every entry, masked ones included, is written
                b.softmax(x, y, rows, cols, causal, tq);
                return new float[][] {toArray(y, (long) rows * cols)};
            }
        });
    }

    private static ConformanceCase softmaxBackward(int rows, int cols) {
        return close("softmaxBackward", rows + "x" + cols, 1e-6, RTOL, new String[] {"dx"}, b -> {
            Random rng = new Random(rows * 31L + cols);
            float[] y = uniform(rng, rows * cols, 0f, 1f);
            for (int r = 0; r < rows; r++) { // normalise rows so y is a real softmax output
                double sum = 0;
                for (int j = 0; j < cols; j++) {
                    sum += y[r * cols + j];
                }
                for (int j = 0; j < cols; j++) {
                    y[r * cols + j] /= (float) sum;
                }
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment dx = floats(arena, new float[rows * cols]);
                b.softmaxBackward(floats(arena, y), floats(arena, uniform(rng, rows * cols, -1f, 1f)), dx, rows, cols);
                return new float[][] {toArray(dx, (long) rows * cols)};
            }
        });
    }

    private static String shape(int rows, int cols, boolean affine) {
        return rows + "x" + cols + (affine ? " affine" : " no weight");
    }

    private static ConformanceCase layerNorm(int rows, int cols, boolean affine) {
        String shape = shape(rows, cols, affine);
        return close("layerNorm", shape, ATOL, RTOL, new String[] {"y", "mean", "rstd"}, b -> {
            Random rng = new Random(shape.hashCode());
            try (Arena arena = Arena.ofShared()) {
                MemorySegment x = floats(arena, uniform(rng, rows * cols, 2f, 4f)); // mean far from 0
                MemorySegment gamma = affine ? floats(arena, uniform(rng, cols, 0.5f, 1.5f)) : MemorySegment.NULL;
                MemorySegment beta = affine ? floats(arena, uniform(rng, cols, -1f, 1f)) : MemorySegment.NULL;
                MemorySegment y = floats(arena, new float[rows * cols]);
                MemorySegment mean = floats(arena, new float[rows]);
                MemorySegment rstd = floats(arena, new float[rows]);
                b.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, 1e-5f);
                return new float[][] {toArray(y, (long) rows * cols), toArray(mean, rows), toArray(rstd, rows)};
            }
        });
    }

    private static ConformanceCase layerNormBackward(int rows, int cols, boolean affine) {
        String shape = shape(rows, cols, affine);
        return close("layerNormBackward", shape, 5e-5, RTOL, new String[] {"dx", "dgamma", "dbeta"}, b -> {
            Random rng = new Random(shape.hashCode() + 1);
            float[] x = uniform(rng, rows * cols, -2f, 2f);
            float[] mean = new float[rows];
            float[] rstd = new float[rows];
            for (int r = 0; r < rows; r++) { // statistics computed here, identical for both backends
                double m = 0;
                double v = 0;
                for (int j = 0; j < cols; j++) {
                    m += x[r * cols + j];
                }
                m /= cols;
                for (int j = 0; j < cols; j++) {
                    v += (x[r * cols + j] - m) * (x[r * cols + j] - m);
                }
                mean[r] = (float) m;
                rstd[r] = (float) (1 / Math.sqrt(v / cols + 1e-5));
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment gamma = affine ? floats(arena, uniform(rng, cols, 0.5f, 1.5f)) : MemorySegment.NULL;
                MemorySegment dy = floats(arena, uniform(rng, rows * cols, -1f, 1f));
                MemorySegment dx = floats(arena, new float[rows * cols]);
                MemorySegment dgamma = floats(arena, uniform(rng, cols, -1f, 1f)); // accumulated into
                MemorySegment dbeta = floats(arena, uniform(rng, cols, -1f, 1f));
                b.layerNormBackward(floats(arena, x), gamma, floats(arena, mean), floats(arena, rstd), dy, dx,
                        affine ? dgamma : MemorySegment.NULL, affine ? dbeta : MemorySegment.NULL, rows, cols);
                return new float[][] {toArray(dx, (long) rows * cols), toArray(dgamma, cols), toArray(dbeta, cols)};
            }
        });
    }

    private static ConformanceCase rmsNorm(int rows, int cols, boolean affine) {
        String shape = shape(rows, cols, affine);
        return close("rmsNorm", shape, ATOL, RTOL, new String[] {"y", "rstd"}, b -> {
            Random rng = new Random(shape.hashCode() + 2);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment x = floats(arena, uniform(rng, rows * cols, -2f, 2f));
                MemorySegment w = affine ? floats(arena, uniform(rng, cols, 0.5f, 1.5f)) : MemorySegment.NULL;
                MemorySegment y = floats(arena, new float[rows * cols]);
                MemorySegment rstd = floats(arena, new float[rows]);
                b.rmsNorm(x, w, y, rstd, rows, cols, 1e-6f);
                return new float[][] {toArray(y, (long) rows * cols), toArray(rstd, rows)};
            }
        });
    }

    private static ConformanceCase rmsNormBackward(int rows, int cols, boolean affine) {
        String shape = shape(rows, cols, affine);
        return close("rmsNormBackward", shape, 5e-5, RTOL, new String[] {"dx", "dweight"}, b -> {
            Random rng = new Random(shape.hashCode() + 3);
            float[] x = uniform(rng, rows * cols, -2f, 2f);
            float[] rstd = new float[rows];
            for (int r = 0; r < rows; r++) {
                double ms = 0;
                for (int j = 0; j < cols; j++) {
                    ms += (double) x[r * cols + j] * x[r * cols + j];
                }
                rstd[r] = (float) (1 / Math.sqrt(ms / cols + 1e-6));
            }
            try (Arena arena = Arena.ofShared()) {
                MemorySegment w = affine ? floats(arena, uniform(rng, cols, 0.5f, 1.5f)) : MemorySegment.NULL;
                MemorySegment dy = floats(arena, uniform(rng, rows * cols, -1f, 1f));
                MemorySegment dx = floats(arena, new float[rows * cols]);
                MemorySegment dweight = floats(arena, uniform(rng, cols, -1f, 1f));
                b.rmsNormBackward(floats(arena, x), w, floats(arena, rstd), dy, dx,
                        affine ? dweight : MemorySegment.NULL, rows, cols);
                return new float[][] {toArray(dx, (long) rows * cols), toArray(dweight, cols)};
            }
        });
    }
}
