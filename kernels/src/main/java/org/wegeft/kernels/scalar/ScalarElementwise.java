package org.wegeft.kernels.scalar;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;

/** Reference elementwise kernels, strided copies and axis reductions. */
final class ScalarElementwise {

    private ScalarElementwise() {
    }

    static void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        for (long i = 0; i < n; i++) {
            y.setAtIndex(JAVA_FLOAT, i, (float) ScalarMath.apply(op, x.getAtIndex(JAVA_FLOAT, i)));
        }
    }

    static void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        for (long i = 0; i < n; i++) {
            double d = ScalarMath.derivative(op, x.getAtIndex(JAVA_FLOAT, i));
            dx.setAtIndex(JAVA_FLOAT, i, (float) (dy.getAtIndex(JAVA_FLOAT, i) * d));
        }
    }

    static void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        for (long i = 0; i < n; i++) {
            y.setAtIndex(JAVA_FLOAT, i, (float) ((double) x.getAtIndex(JAVA_FLOAT, i) * scale + shift));
        }
    }

    static void fill(MemorySegment y, long n, float value) {
        for (long i = 0; i < n; i++) {
            y.setAtIndex(JAVA_FLOAT, i, value);
        }
    }

    static void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b,
                       long[] bStrides, MemorySegment out) {
        checkRank("binary", shape, aStrides, "aStrides");
        checkRank("binary", shape, bStrides, "bStrides");
        long total = count(shape);
        int[] idx = new int[shape.length];
        for (long flat = 0; flat < total; flat++) {
            double x = a.getAtIndex(JAVA_FLOAT, offset(idx, aStrides));
            double y = b.getAtIndex(JAVA_FLOAT, offset(idx, bStrides));
            double r = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case MAX -> Math.max(x, y);
                case MIN -> Math.min(x, y);
                case POW -> Math.pow(x, y);
            };
            out.setAtIndex(JAVA_FLOAT, flat, (float) r);
            increment(idx, shape);
        }
    }

    static void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        checkRank("copyStrided", shape, srcStrides, "srcStrides");
        long total = count(shape);
        int[] idx = new int[shape.length];
        for (long flat = 0; flat < total; flat++) {
            dst.setAtIndex(JAVA_FLOAT, flat, src.getAtIndex(JAVA_FLOAT, offset(idx, srcStrides)));
            increment(idx, shape);
        }
    }

    static void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        // x: (outer, dim, inner) -> out: (outer, inner)
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = switch (op) {
                    case SUM, MEAN -> 0.0;
                    case MAX -> Double.NEGATIVE_INFINITY;
                    case MIN -> Double.POSITIVE_INFINITY;
                };
                for (int d = 0; d < dim; d++) {
                    double v = x.getAtIndex(JAVA_FLOAT, ((long) o * dim + d) * inner + i);
                    acc = switch (op) {
                        case SUM, MEAN -> acc + v;
                        case MAX -> Math.max(acc, v);
                        case MIN -> Math.min(acc, v);
                    };
                }
                if (op == ReduceOp.MEAN) {
                    acc /= dim;
                }
                out.setAtIndex(JAVA_FLOAT, (long) o * inner + i, (float) acc);
            }
        }
    }

    private static void checkRank(String kernel, int[] shape, long[] strides, String what) {
        if (strides.length != shape.length) {
            throw new IllegalArgumentException(kernel + ": " + what + " has " + strides.length
                    + " entries but shape has rank " + shape.length);
        }
    }

    private static long count(int[] shape) {
        long total = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative extent in shape " + java.util.Arrays.toString(shape));
            }
            total *= s;
        }
        return total;
    }

    private static long offset(int[] idx, long[] strides) {
        long off = 0;
        for (int d = 0; d < idx.length; d++) {
            off += idx[d] * strides[d];
        }
        return off;
    }

    /** Advances a row-major multi-index by one (last axis fastest). */
    private static void increment(int[] idx, int[] shape) {
        for (int d = idx.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) {
                return;
            }
            idx[d] = 0;
        }
    }
}
