package org.wegeft.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Conversion conformance: every pair of F32/BF16/F16 over random values plus specials (ties, NaN, ±inf,
 * subnormals, overflow), compared bit for bit (any NaN matches any NaN).
 */
final class ConvertConformance {
    private static final DType[] FLOATS = {DType.F32, DType.BF16, DType.F16};

    private ConvertConformance() {
    }

    static List<ConformanceCase> cases() {
        List<ConformanceCase> cases = new ArrayList<>();
        for (DType from : FLOATS) {
            for (DType to : FLOATS) {
                for (int n : new int[] {1, 7, 1031}) {
                    cases.add(convert(from, to, n));
                }
            }
        }
        return cases;
    }

    /** Source values (as float32) covering the interesting cases for every format, then random ones. */
    private static float[] values(Random rng, int n) {
        float[] specials = {0f, -0f, 1f, -2.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            1.00390625f, 1.01171875f, 1.00048828125f, 1.00146484375f, 65504f, 65519.99f, 65520f, 1e6f, -1e6f,
            Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL, 5.9604645e-8f, 2.9802322e-8f, 8.940697e-8f,
            6.097555e-5f, 9.1835496e-41f, 3.3895314e38f};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            if (i < specials.length && n > 7) {
                v[i] = specials[i];
            } else {
                v[i] = switch (i % 3) {
                    case 0 -> (rng.nextFloat() - 0.5f) * 200f;
                    case 1 -> Float.intBitsToFloat(rng.nextInt()); // any float, any exponent
                    default -> (rng.nextFloat() - 0.5f) * 1e-4f; // f16 subnormal range
                };
            }
        }
        return v;
    }

    private static ConformanceCase convert(DType from, DType to, int n) {
        return ConformanceCase.close("convert", from + "->" + to + " n=" + n, 0, 0, new String[] {"dst bits"}, b -> {
            float[] v = values(new Random(n * 31L + from.ordinal() * 3 + to.ordinal()), n);
            try (Arena arena = Arena.ofShared()) {
                MemorySegment src = arena.allocate((long) n * from.byteSize(), 4);
                if (from == DType.F32) {
                    MemorySegment.copy(v, 0, src, JAVA_FLOAT, 0, n);
                } else { // source halves: the reference's own rounding of v (identical input for both backends)
                    MemorySegment f32 = TestBuffers.floats(arena, v);
                    new org.wegeft.kernels.scalar.ScalarBackend().convert(DType.F32, f32, from, src, n);
                }
                MemorySegment dst = arena.allocate((long) n * to.byteSize(), 4);
                b.convert(from, src, to, dst, n);
                // bit patterns as exact float values: 16-bit halves (two per float32 element)
                float[] bits = new float[2 * n];
                for (int i = 0; i < n; i++) {
                    if (to == DType.F32) {
                        float f = dst.getAtIndex(JAVA_FLOAT, i);
                        int raw = Float.floatToRawIntBits(f);
                        bits[2 * i] = Float.isNaN(f) ? Float.NaN : raw >>> 16;
                        bits[2 * i + 1] = Float.isNaN(f) ? Float.NaN : raw & 0xFFFF;
                    } else {
                        int h = dst.getAtIndex(JAVA_SHORT, i) & 0xFFFF;
                        boolean nan = to == DType.BF16 ? (h & 0x7F80) == 0x7F80 && (h & 0x7F) != 0
                                : (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
                        bits[i] = nan ? Float.NaN : h;
                    }
                }
                return new float[][] {bits};
            }
        });
    }
}
