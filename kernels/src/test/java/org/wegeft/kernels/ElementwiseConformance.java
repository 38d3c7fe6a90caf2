package org.wegeft.kernels;

import static org.wegeft.kernels.ConformanceCase.close;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.toArray;
import static org.wegeft.kernels.TestBuffers.uniform;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Conformance cases for unary (forward/backward), affine, fill, broadcasting binary, strided copy and reduce. */
final class ElementwiseConformance {
    private static final double ATOL = 1e-6;
    private static final double RTOL = 1e-4;
    private static final int[] SIZES = {1, 7, 33, 257, 1031};

    private ElementwiseConformance() {
    }

    static List<ConformanceCase> cases() {
        List<ConformanceCase> cases = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                cases.add(unary(op, n, false));
                cases.add(unaryBackward(op, n, false));
            }
            cases.add(unary(op, 257, true));
            cases.add(unaryBackward(op, 257, true));
        }
        for (int n : SIZES) {
            cases.add(close("affine", "n=" + n, ATOL, RTOL, new String[] {"y"}, b -> {
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment x = floats(arena, uniform(new Random(n), n, -3f, 3f));
                    b.affine(x, x, n, -1.75f, 0.5f);
                    return new float[][] {toArray(x, n)};
                }
            }));
            cases.add(close("fill", "n=" + n, 0, 0, new String[] {"y"}, b -> {
                try (Arena arena = Arena.ofShared()) {
                    MemorySegment y = floats(arena, new float[n + 1]);
                    b.fill(y, n, 3.25f); // the element after n stays 0
                    return new float[][] {toArray(y, n + 1)};
                }
            }));
        }
        for (BinaryOp op : BinaryOp.values()) {
            cases.add(binary(op, "same shape", new int[] {3, 7}, new long[] {7, 1}, new long[] {7, 1}));
            cases.add(binary(op, "row broadcast", new int[] {33, 257}, new long[] {257, 1}, new long[] {0, 1}));
            cases.add(binary(op, "column broadcast", new int[] {257, 3}, new long[] {3, 1}, new long[] {1, 0}));
            cases.add(binary(op, "scalar broadcast", new int[] {1031}, new long[] {1}, new long[] {0}));
            cases.add(binary(op, "transposed a", new int[] {7, 33}, new long[] {1, 7}, new long[] {33, 1}));
            cases.add(binary(op, "rank 3 mixed", new int[] {2, 5, 33}, new long[] {165, 33, 1}, new long[] {33, 0, 1}));
            cases.add(binary(op, "rank 0", new int[0], new long[0], new long[0]));
            cases.add(binaryInPlace(op));
        }
        cases.add(copy("transpose", new int[] {33, 257}, new long[] {1, 33}, 33 * 257));
        cases.add(copy("permute rank 3", new int[] {7, 5, 3}, new long[] {1, 21, 7}, 105));
        cases.add(copy("broadcast", new int[] {4, 257}, new long[] {0, 1}, 257));
        cases.add(copy("strided slice", new int[] {9, 7}, new long[] {20, 2}, 180));
        cases.add(copy("rank 1", new int[] {1031}, new long[] {1}, 1031));
        int[][] reduceShapes = {{1, 1, 1}, {3, 7, 1}, {1, 257, 1}, {7, 33, 5}, {2, 0, 3}, {1, 1031, 3}, {64, 300, 1}};
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] s : reduceShapes) {
                cases.add(reduce(op, s[0], s[1], s[2]));
            }
        }
        return cases;
    }

    /** Inputs inside each op's domain: positive for LOG/SQRT/RSQRT/RECIPROCAL, else [−4, 4). */
    static float[] domain(UnaryOp op, Random rng, int n) {
        return switch (op) {
            case LOG, SQRT, RSQRT, RECIPROCAL -> uniform(rng, n, 0.05f, 4f);
            default -> uniform(rng, n, -4f, 4f);
        };
    }

    private static ConformanceCase unary(UnaryOp op, int n, boolean inPlace) {
        return close("unary " + op, "n=" + n + (inPlace ? " in place" : ""), ATOL, RTOL, new String[] {"y"}, b -> {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment x = floats(arena, domain(op, new Random(op.ordinal() * 7919L + n), n));
                MemorySegment y = inPlace ? x : floats(arena, new float[n]);
                b.unary(op, x, y, n);
                return new float[][] {toArray(y, n)};
            }
        });
    }

    private static ConformanceCase unaryBackward(UnaryOp op, int n, boolean inPlace) {
        return close("unaryBackward " + op, "n=" + n + (inPlace ? " in place" : ""), ATOL, RTOL, new String[] {"dx"},
                b -> {
            Random rng = new Random(op.ordinal() * 104729L + n);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment x = floats(arena, domain(op, rng, n));
                MemorySegment dy = floats(arena, uniform(rng, n, -1f, 1f));
                MemorySegment dx = inPlace ? dy : floats(arena, new float[n]);
                b.unaryBackward(op, x, dy, dx, n);
                return new float[][] {toArray(dx, n)};
            }
        });
    }

    private static long span(int[] shape, long[] strides) {
        long max = 0;
        for (int d = 0; d < shape.length; d++) {
            max += (long) (shape[d] - 1) * strides[d];
        }
        return max + 1;
    }

    private static int count(int[] shape) {
        return Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    }

    /** b's values for op: away from 0 for DIV, small exponents for POW (with a positive). */
    private static float[][] binaryInputs(BinaryOp op, Random rng, int na, int nb) {
        float[] a = op == BinaryOp.POW ? uniform(rng, na, 0.1f, 3f) : uniform(rng, na, -3f, 3f);
        float[] b = switch (op) {
            case DIV -> {
                float[] v = uniform(rng, nb, 0.25f, 3f);
                for (int i = 0; i < v.length; i += 2) {
                    v[i] = -v[i];
                }
                yield v;
            }
            case POW -> uniform(rng, nb, -2f, 2f);
            default -> uniform(rng, nb, -3f, 3f);
        };
        return new float[][] {a, b};
    }

    private static ConformanceCase binary(BinaryOp op, String what, int[] shape, long[] as, long[] bs) {
        int n = count(shape);
        return close("binary " + op, what + " " + Arrays.toString(shape), ATOL, RTOL, new String[] {"out"}, b -> {
            float[][] in = binaryInputs(op, new Random(what.hashCode() + op.ordinal()), (int) span(shape, as),
                    (int) span(shape, bs));
            try (Arena arena = Arena.ofShared()) {
                MemorySegment out = floats(arena, new float[n]);
                b.binary(op, shape, floats(arena, in[0]), as, floats(arena, in[1]), bs, out);
                return new float[][] {toArray(out, n)};
            }
        });
    }

    private static ConformanceCase binaryInPlace(BinaryOp op) {
        int[] shape = {33, 65};
        return close("binary " + op, "in place a op= row " + Arrays.toString(shape), ATOL, RTOL, new String[] {"a"},
                b -> {
                    float[][] in = binaryInputs(op, new Random(op.ordinal()), 33 * 65, 65);
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment a = floats(arena, in[0]);
                        b.binary(op, shape, a, new long[] {65, 1}, floats(arena, in[1]), new long[] {0, 1}, a);
                        return new float[][] {toArray(a, 33 * 65)};
                    }
                });
    }

    private static ConformanceCase copy(String what, int[] shape, long[] strides, int srcSize) {
        int n = count(shape);
        return close("copyStrided", what + " " + Arrays.toString(shape), 0, 0, new String[] {"dst"}, b -> {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment dst = floats(arena, new float[n]);
                b.copyStrided(shape, floats(arena, uniform(new Random(n), srcSize, -1f, 1f)), strides, dst);
                return new float[][] {toArray(dst, n)};
            }
        });
    }

    private static ConformanceCase reduce(ReduceOp op, int outer, int dim, int inner) {
        String shape = "outer=" + outer + " dim=" + dim + " inner=" + inner;
        return close("reduce " + op, shape, 1e-5, RTOL, new String[] {"out"}, b -> {
            try (Arena arena = Arena.ofShared()) {
                int n = outer * dim * inner;
                // positive inputs keep SUM/MEAN well-conditioned, so rtol applies
                MemorySegment x = floats(arena, uniform(new Random(shape.hashCode()), n, 0.1f, 2f));
                MemorySegment out = floats(arena, new float[outer * inner]);
                b.reduce(op, x, out, outer, dim, inner);
                return new float[][] {toArray(out, (long) outer * inner)};
            }
        });
    }
}
