package org.wegeft.kernels.scalar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.toArray;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ReduceOp;

class ScalarElementwiseTest {
    private final KernelBackend scalar = new ScalarBackend();

    @Test
    void binaryBroadcastsARowAcrossAMatrix() {
        // a: (2, 3) contiguous; b: (3) broadcast over rows with stride 0
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = floats(arena, new float[6]);
            scalar.binary(BinaryOp.SUB, new int[] {2, 3}, floats(arena, 1, 2, 3, 4, 5, 6), new long[] {3, 1},
                    floats(arena, 10, 20, 30), new long[] {0, 1}, out);
            assertArrayEquals(new float[] {-9, -18, -27, -6, -15, -24}, toArray(out, 6));
        }
    }

    @Test
    void binaryReadsATransposedView() {
        // a is stored (3, 2) and read as its transpose (2, 3): strides (1, 2); b is a column (2, 1) broadcast
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = floats(arena, new float[6]);
            scalar.binary(BinaryOp.MUL, new int[] {2, 3}, floats(arena, 1, 4, 2, 5, 3, 6), new long[] {1, 2},
                    floats(arena, 2, -1), new long[] {1, 0}, out);
            assertArrayEquals(new float[] {2, 4, 6, -4, -5, -6}, toArray(out, 6));
        }
    }

    static Stream<Arguments> binaryOps() {
        return Stream.of(Arguments.of(BinaryOp.ADD, new float[] {5f, -1f, 2.5f}),
                Arguments.of(BinaryOp.SUB, new float[] {-1f, 5f, 1.5f}),
                Arguments.of(BinaryOp.MUL, new float[] {6f, -6f, 1f}),
                Arguments.of(BinaryOp.DIV, new float[] {2f / 3f, -2f / 3f, 4f}),
                Arguments.of(BinaryOp.MAX, new float[] {3f, 2f, 2f}),
                Arguments.of(BinaryOp.MIN, new float[] {2f, -3f, 0.5f}),
                Arguments.of(BinaryOp.POW, new float[] {8f, (float) Math.pow(2, -3), (float) Math.sqrt(2)}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryOps")
    void binaryOpsMatchTheirDefinitionAndWorkInPlace(BinaryOp op, float[] expected) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = floats(arena, 2, 2, 2);
            scalar.binary(op, new int[] {3}, a, new long[] {1}, floats(arena, 3, -3, 0.5f), new long[] {1}, a);
            assertArrayEquals(expected, toArray(a, 3));
        }
    }

    @Test
    void binaryOverARankZeroShapeComputesOneElement() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = floats(arena, 0f);
            scalar.binary(BinaryOp.ADD, new int[0], floats(arena, 1.5f), new long[0], floats(arena, 2f), new long[0],
                    out);
            assertArrayEquals(new float[] {3.5f}, toArray(out, 1));
        }
    }

    @Test
    void binaryRejectsStridesOfTheWrongRank() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = floats(arena, 1, 2);
            assertThrows(IllegalArgumentException.class,
                    () -> scalar.binary(BinaryOp.ADD, new int[] {2}, a, new long[] {1, 1}, a, new long[] {1}, a));
        }
    }

    @Test
    void copyStridedMakesAPermutedViewContiguous() {
        // src (2, 3, 2) contiguous; view with axes permuted to (2, 2, 3): strides (6, 1, 2)
        float[] src = new float[12];
        for (int i = 0; i < 12; i++) {
            src[i] = i;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = floats(arena, new float[12]);
            scalar.copyStrided(new int[] {2, 2, 3}, floats(arena, src), new long[] {6, 1, 2}, dst);
            assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11}, toArray(dst, 12));
        }
    }

    @Test
    void reduceOverTheMiddleAxis() {
        // x: (outer 2, dim 3, inner 2) = 0..11
        float[] x = new float[12];
        for (int i = 0; i < 12; i++) {
            x[i] = i;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment xs = floats(arena, x);
            MemorySegment out = floats(arena, new float[4]);
            scalar.reduce(ReduceOp.SUM, xs, out, 2, 3, 2);
            assertArrayEquals(new float[] {6, 9, 24, 27}, toArray(out, 4));
            scalar.reduce(ReduceOp.MEAN, xs, out, 2, 3, 2);
            assertArrayEquals(new float[] {2, 3, 8, 9}, toArray(out, 4));
            scalar.reduce(ReduceOp.MAX, xs, out, 2, 3, 2);
            assertArrayEquals(new float[] {4, 5, 10, 11}, toArray(out, 4));
            scalar.reduce(ReduceOp.MIN, xs, out, 2, 3, 2);
            assertArrayEquals(new float[] {0, 1, 6, 7}, toArray(out, 4));
        }
    }

    @Test
    void reduceOfAnEmptyAxisGivesTheIdentity() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, 0f);
            MemorySegment out = floats(arena, 7f, 7f);
            scalar.reduce(ReduceOp.SUM, x, out, 1, 0, 2);
            assertArrayEquals(new float[] {0f, 0f}, toArray(out, 2));
            scalar.reduce(ReduceOp.MAX, x, out, 1, 0, 2);
            assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, toArray(out, 2));
            scalar.reduce(ReduceOp.MIN, x, out, 1, 0, 2);
            assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY}, toArray(out, 2));
        }
    }

    @Test
    void affineAndFill() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = floats(arena, 1, -2, 0.5f);
            scalar.affine(x, x, 3, 2f, 1f);
            assertArrayEquals(new float[] {3f, -3f, 2f}, toArray(x, 3));
            scalar.fill(x, 2, -7f);
            assertArrayEquals(new float[] {-7f, -7f, 2f}, toArray(x, 3));
        }
    }
}
