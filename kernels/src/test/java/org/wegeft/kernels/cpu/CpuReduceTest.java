package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.wegeft.kernels.cpu.CpuTestSupport.CPU;
import static org.wegeft.kernels.cpu.CpuTestSupport.assertClose;
import static org.wegeft.kernels.cpu.CpuTestSupport.seg;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.ReduceOp;

class CpuReduceTest {

    static Stream<Arguments> reductions() {
        List<Arguments> list = new ArrayList<>();
        int[][] shapes = {{1, 1, 1}, {3, 7, 1}, {2, 33, 1}, {1, 257, 1}, {4, 5, 33}, {3, 7, 257}, {2, 1, 3},
                {1, 70_001, 1}, {1, 3, 20_000}, {5, 0, 3}};
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] s : shapes) {
                list.add(Arguments.of(op, s[0], s[1], s[2]));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} ({1}, {2}, {3})")
    @MethodSource("reductions")
    void reduceMatchesDoubleReference(ReduceOp op, int outer, int dim, int inner) {
        float[] x = CpuTestSupport.random(new SplittableRandom(outer * 1000L + dim + inner), outer * dim * inner, -1, 1);
        float[] out = new float[outer * inner];
        CPU.reduce(op, seg(x), seg(out), outer, dim, inner);
        double[] want = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = switch (op) {
                    case SUM, MEAN -> 0;
                    case MAX -> Double.NEGATIVE_INFINITY;
                    case MIN -> Double.POSITIVE_INFINITY;
                };
                for (int d = 0; d < dim; d++) {
                    double v = x[(o * dim + d) * inner + i];
                    acc = switch (op) {
                        case SUM, MEAN -> acc + v;
                        case MAX -> Math.max(acc, v);
                        case MIN -> Math.min(acc, v);
                    };
                }
                want[o * inner + i] = op == ReduceOp.MEAN ? acc / dim : acc; // empty MEAN: 0 / 0 = NaN, as torch
            }
        }
        assertClose(op.toString(), want, out, 2e-5 * Math.sqrt(Math.max(1, dim)), 1e-5);
    }

    static double[] softmaxRef(float[] x, int rows, int cols, boolean causal, int tq) {
        double[] y = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            int valid = causal ? Math.max(0, Math.min(cols, r % tq + (cols - tq) + 1)) : cols;
            double lse = CpuTestSupport.logSumExp(x, r * cols, valid);
            for (int j = 0; j < valid; j++) {
                y[r * cols + j] = Math.exp(x[r * cols + j] - lse);
            }
        }
        return y;
    }

    static Stream<Arguments> softmaxCases() {
        List<Arguments> list = new ArrayList<>();
        for (int cols : CpuTestSupport.ODD_SIZES) {
            list.add(Arguments.of(4, cols, false, 1));
            list.add(Arguments.of(2 * cols, cols, true, cols));          // square causal, 2 heads
            list.add(Arguments.of(3, cols, true, 3));                    // tq < cols: last rows see the past
        }
        list.add(Arguments.of(2 * 9, 5, true, 9));                       // tq > tk: leading rows fully masked
        list.add(Arguments.of(400, 129, true, 100));
        return list.stream();
    }

    @ParameterizedTest(name = "rows={0} cols={1} causal={2} tq={3}")
    @MethodSource("softmaxCases")
    void softmaxMatchesReferenceAndMasksTheFuture(int rows, int cols, boolean causal, int tq) {
        float[] x = CpuTestSupport.random(new SplittableRandom(rows * 31L + cols), rows * cols, -6, 6);
        float[] y = new float[rows * cols];
        java.util.Arrays.fill(y, Float.NaN);
        CPU.softmax(seg(x), seg(y), rows, cols, causal, tq);
        assertClose("softmax", softmaxRef(x, rows, cols, causal, tq), y, 1e-6, 1e-5);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void softmaxBackwardMatchesJacobianProduct(int cols) {
        int rows = 5;
        SplittableRandom rnd = new SplittableRandom(cols);
        float[] x = CpuTestSupport.random(rnd, rows * cols, -3, 3);
        float[] dy = CpuTestSupport.random(rnd, rows * cols, -1, 1);
        float[] y = new float[rows * cols];
        float[] dx = new float[rows * cols];
        CPU.softmax(seg(x), seg(y), rows, cols, false, 1);
        CPU.softmaxBackward(seg(y), seg(dy), seg(dx), rows, cols);
        double[] want = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < cols; j++) {
                s += (double) dy[r * cols + j] * y[r * cols + j];
            }
            for (int j = 0; j < cols; j++) {
                want[r * cols + j] = y[r * cols + j] * (dy[r * cols + j] - s);
            }
        }
        assertClose("softmax backward", want, dx, 1e-6, 1e-5);
    }

    static int[] sizes() {
        return CpuTestSupport.ODD_SIZES;
    }

    @Test
    void reduceAndSoftmaxAreBitIdenticalRunToRun() {
        int n = 200_003;
        float[] x = CpuTestSupport.random(new SplittableRandom(3), n, -5, 5);
        float[] a = new float[1];
        float[] b = new float[1];
        CPU.reduce(ReduceOp.SUM, seg(x), seg(a), 1, n, 1);
        CPU.reduce(ReduceOp.SUM, seg(x), seg(b), 1, n, 1);
        assertArrayEquals(a, b);
        float[] ya = new float[n - 3];
        float[] yb = new float[n - 3];
        CPU.softmax(seg(x), seg(ya), 400, (n - 3) / 400, true, 400);
        CPU.softmax(seg(x), seg(yb), 400, (n - 3) / 400, true, 400);
        assertArrayEquals(ya, yb);
    }
}
