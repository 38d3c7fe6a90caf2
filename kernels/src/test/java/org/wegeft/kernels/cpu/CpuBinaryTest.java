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
import org.wegeft.kernels.BinaryOp;

class CpuBinaryTest {

    /** A broadcasting layout: the index space and each operand's strides (0 broadcasts). */
    record Layout(String name, int[] shape, long[] aStrides, int aSize, long[] bStrides, int bSize) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Layout> layouts() {
        List<Layout> list = new ArrayList<>();
        for (int n : CpuTestSupport.ODD_SIZES) {
            list.add(new Layout("contiguous " + n, new int[] {n}, new long[] {1}, n, new long[] {1}, n));
            list.add(new Layout("scalar b " + n, new int[] {n}, new long[] {1}, n, new long[] {0}, 1));
            list.add(new Layout("scalar a " + n, new int[] {n}, new long[] {0}, 1, new long[] {1}, n));
            // (5, n) + (n): row broadcast;  (n, 5) + (n, 1): column broadcast
            list.add(new Layout("row bcast 5x" + n, new int[] {5, n}, new long[] {n, 1}, 5 * n,
                    new long[] {0, 1}, n));
            list.add(new Layout("col bcast " + n + "x5", new int[] {n, 5}, new long[] {5, 1}, 5 * n,
                    new long[] {1, 0}, n));
            // a transposed view of a (n, 3) buffer: general strided path
            list.add(new Layout("transposed 3x" + n, new int[] {3, n}, new long[] {1, 3}, 3 * n,
                    new long[] {n, 1}, 3 * n));
        }
        list.add(new Layout("4-d mixed", new int[] {2, 3, 4, 37}, new long[] {3 * 4 * 37, 4 * 37, 37, 1}, 2 * 3 * 4 * 37,
                new long[] {0, 37, 0, 1}, 3 * 37));
        list.add(new Layout("large row bcast", new int[] {300, 129}, new long[] {129, 1}, 300 * 129,
                new long[] {0, 1}, 129));
        list.add(new Layout("large contiguous", new int[] {50_001}, new long[] {1}, 50_001, new long[] {1}, 50_001));
        return list;
    }

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (BinaryOp op : BinaryOp.values()) {
            for (Layout l : layouts()) {
                list.add(Arguments.of(op, l));
            }
        }
        return list.stream();
    }

    static double ref(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case POW -> Math.pow(x, y);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void binaryMatchesIndexedReference(BinaryOp op, Layout l) {
        SplittableRandom rnd = new SplittableRandom(l.aSize() * 7L + op.ordinal());
        boolean pow = op == BinaryOp.POW;
        float[] a = CpuTestSupport.random(rnd, l.aSize(), pow ? 0.1 : -4, 4);
        float[] b = CpuTestSupport.random(rnd, l.bSize(), pow ? -2 : 0.5, pow ? 2 : 4);
        int total = 1;
        for (int s : l.shape()) {
            total *= s;
        }
        float[] out = new float[total];
        CPU.binary(op, l.shape(), seg(a), l.aStrides(), seg(b), l.bStrides(), seg(out));
        double[] want = new double[total];
        int[] idx = new int[l.shape().length];
        for (int f = 0; f < total; f++) {
            long ao = 0;
            long bo = 0;
            for (int d = 0; d < idx.length; d++) {
                ao += idx[d] * l.aStrides()[d];
                bo += idx[d] * l.bStrides()[d];
            }
            want[f] = ref(op, a[(int) ao], b[(int) bo]);
            for (int d = idx.length - 1; d >= 0 && ++idx[d] == l.shape()[d]; d--) {
                idx[d] = 0;
            }
        }
        assertClose(op + " " + l, want, out, 1e-6, 2e-6);
    }

    @Test
    void binaryAccumulatesInPlace() {
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
        float[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
        CPU.binary(BinaryOp.ADD, new int[] {2, 9}, seg(a), new long[] {9, 1}, seg(b), new long[] {9, 1}, seg(a));
        double[] want = new double[18];
        for (int i = 0; i < 18; i++) {
            want[i] = 2 * (i + 1);
        }
        assertClose("a += b", want, a, 0);
    }

    static Stream<Arguments> copies() {
        return Stream.of(
                Arguments.of("contiguous", new int[] {4, 33}, new long[] {33, 1}),
                Arguments.of("transpose", new int[] {33, 7}, new long[] {1, 33}),
                Arguments.of("last dim contiguous, padded rows", new int[] {5, 257}, new long[] {300, 1}),
                Arguments.of("broadcast rows", new int[] {3, 40}, new long[] {0, 1}),
                Arguments.of("broadcast scalar", new int[] {3, 40}, new long[] {0, 0}),
                Arguments.of("3-d permute", new int[] {3, 4, 5}, new long[] {5, 15, 1}),
                Arguments.of("large transpose", new int[] {257, 300}, new long[] {1, 257}),
                Arguments.of("size one", new int[] {1}, new long[] {1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("copies")
    void copyStridedGathersEveryIndex(String name, int[] shape, long[] strides) {
        int total = 1;
        long span = 1;
        for (int d = 0; d < shape.length; d++) {
            total *= shape[d];
            span += (shape[d] - 1) * strides[d];
        }
        float[] src = CpuTestSupport.random(new SplittableRandom(total), (int) span, -1, 1);
        float[] dst = new float[total];
        CPU.copyStrided(shape, seg(src), strides, seg(dst));
        float[] want = new float[total];
        int[] idx = new int[shape.length];
        for (int f = 0; f < total; f++) {
            long o = 0;
            for (int d = 0; d < idx.length; d++) {
                o += idx[d] * strides[d];
            }
            want[f] = src[(int) o];
            for (int d = idx.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) {
                idx[d] = 0;
            }
        }
        assertArrayEquals(want, dst, name);
    }
}
