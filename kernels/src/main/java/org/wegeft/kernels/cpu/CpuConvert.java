package org.wegeft.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.wegeft.kernels.DType;

/**
 * F32 ↔ BF16 ↔ F16 conversion. BF16 is vectorised with integer shifts (round to nearest even, NaN kept
 * quiet); F16 uses {@link Float#floatToFloat16} / {@link Float#float16ToFloat}, which the JIT compiles to
 * the hardware conversion instructions. Both are exact (correctly rounded).
 */
final class CpuConvert {
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(I.vectorBitSize() / 2));
    private static final int N = I.length();
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private CpuConvert() {
    }

    static void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        if (!from.isFloating() || !to.isFloating()) {
            throw new IllegalArgumentException("convert: only F32, BF16 and F16 convert, got " + from + " → " + to);
        }
        if (from == to) {
            CpuVec.blocks(n, (a, b) -> MemorySegment.copy(src, a * from.byteSize(), dst, a * from.byteSize(),
                    (b - a) * from.byteSize()));
            return;
        }
        CpuVec.blocks(n, (a, b) -> {
            switch (from) {
                case F32 -> {
                    if (to == DType.BF16) {
                        f32ToBf16(src, dst, a, b);
                    } else {
                        f32ToF16(src, dst, a, b);
                    }
                }
                case BF16 -> {
                    if (to == DType.F32) {
                        bf16ToF32(src, dst, a, b);
                    } else {
                        for (long i = a; i < b; i++) {
                            float f = Float.intBitsToFloat(src.getAtIndex(SHORT, i) << 16);
                            dst.setAtIndex(SHORT, i, Float.floatToFloat16(f));
                        }
                    }
                }
                case F16 -> {
                    if (to == DType.F32) {
                        for (long i = a; i < b; i++) {
                            CpuVec.set(dst, i, Float.float16ToFloat(src.getAtIndex(SHORT, i)));
                        }
                    } else {
                        for (long i = a; i < b; i++) {
                            dst.setAtIndex(SHORT, i, bf16(Float.float16ToFloat(src.getAtIndex(SHORT, i))));
                        }
                    }
                }
                default -> throw new AssertionError(from);
            }
        });
    }

    /** Round-to-nearest-even f32 → bf16 bits; NaN becomes a quiet NaN with the same sign. */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    private static void f32ToBf16(MemorySegment src, MemorySegment dst, long a, long b) {
        long i = a;
        long vb = a + I.loopBound(b - a);
        for (; i < vb; i += N) {
            IntVector bits = IntVector.fromMemorySegment(I, src, i * 4, CpuVec.ORDER);
            IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7FFF)
                    .lanewise(VectorOperators.LSHR, 16);
            // NaN: exponent all ones and mantissa non-zero → keep the top half, set the quiet bit
            VectorMask<Integer> nan = bits.and(0x7FFFFFFF).compare(VectorOperators.GT, 0x7F800000);
            IntVector r = rounded.blend(bits.lanewise(VectorOperators.LSHR, 16).or(0x40), nan);
            ShortVector s = (ShortVector) r.convertShape(VectorOperators.I2S, S, 0);
            s.intoMemorySegment(dst, i * 2, CpuVec.ORDER);
        }
        for (; i < b; i++) {
            dst.setAtIndex(SHORT, i, bf16(CpuVec.get(src, i)));
        }
    }

    private static void bf16ToF32(MemorySegment src, MemorySegment dst, long a, long b) {
        long i = a;
        long vb = a + I.loopBound(b - a);
        for (; i < vb; i += N) {
            ShortVector s = ShortVector.fromMemorySegment(S, src, i * 2, CpuVec.ORDER);
            IntVector bits = ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16);
            bits.intoMemorySegment(dst, i * 4, CpuVec.ORDER);
        }
        for (; i < b; i++) {
            CpuVec.set(dst, i, Float.intBitsToFloat(src.getAtIndex(SHORT, i) << 16));
        }
    }

    private static void f32ToF16(MemorySegment src, MemorySegment dst, long a, long b) {
        for (long i = a; i < b; i++) {
            dst.setAtIndex(SHORT, i, Float.floatToFloat16(CpuVec.get(src, i)));
        }
    }
}
