package org.wegeft.kernels.scalar;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import org.wegeft.kernels.DType;

/**
 * Reference dtype conversions. Rounding is done on the value, not with bit tricks: with E the
 * (clamped) binary exponent, the significand |f| / 2^(E − p) is rounded with {@link Math#rint}
 * (ties to even) and re-encoded; a carry into the next binade or into infinity falls out of the
 * encoding's arithmetic.
 */
final class ScalarConvert {

    private ScalarConvert() {
    }

    static void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        if (from == to) {
            for (long i = 0; i < n; i++) {
                switch (from) {
                    case F32 -> dst.setAtIndex(JAVA_FLOAT, i, src.getAtIndex(JAVA_FLOAT, i));
                    case I32 -> dst.setAtIndex(JAVA_INT, i, src.getAtIndex(JAVA_INT, i));
                    case BF16, F16 -> dst.setAtIndex(JAVA_SHORT, i, src.getAtIndex(JAVA_SHORT, i));
                }
            }
            return;
        }
        if (from == DType.I32 || to == DType.I32) {
            throw new IllegalArgumentException("convert: " + from + " -> " + to
                    + " is not supported (only F32, BF16 and F16 convert)");
        }
        for (long i = 0; i < n; i++) {
            float f = switch (from) {
                case F32 -> src.getAtIndex(JAVA_FLOAT, i);
                case BF16 -> bf16ToFloat(src.getAtIndex(JAVA_SHORT, i));
                case F16 -> f16ToFloat(src.getAtIndex(JAVA_SHORT, i));
                case I32 -> throw new AssertionError();
            };
            switch (to) {
                case F32 -> dst.setAtIndex(JAVA_FLOAT, i, f);
                case BF16 -> dst.setAtIndex(JAVA_SHORT, i, floatToBf16(f));
                case F16 -> dst.setAtIndex(JAVA_SHORT, i, floatToF16(f));
                case I32 -> throw new AssertionError();
            }
        }
    }

    static float bf16ToFloat(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7FC0 | ((bits >>> 16) & 0x7F)); // quiet NaN, top payload bits kept
        }
        if (Float.isInfinite(f)) {
            return (short) (sign | 0x7F80);
        }
        // 8 significant bits: value = r · 2^(e − 7), r in [128, 256) for normals
        int e = Math.max(Math.getExponent(f), Float.MIN_EXPONENT);
        double r = Math.rint(Math.abs((double) f) / Math.scalb(1.0, e - 7));
        int magnitude = ((e + 127) << 7) + ((int) r - 128);
        return (short) (sign | Math.min(magnitude, 0x7F80));
    }

    static float f16ToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = bits & 0x8000;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) { // inf or NaN (payload kept)
            return Float.intBitsToFloat((sign << 16) | 0x7F800000 | (mant << 13));
        }
        double magnitude = exp == 0 ? Math.scalb((double) mant, -24) : Math.scalb(1024.0 + mant, exp - 25);
        return (float) (sign != 0 ? -magnitude : magnitude);
    }

    static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) (sign | 0x7E00 | ((bits >>> 13) & 0x3FF)); // quiet NaN, top payload bits kept
        }
        if (Float.isInfinite(f)) {
            return (short) (sign | 0x7C00);
        }
        // 11 significant bits: value = r · 2^(e − 10), r in [1024, 2048) for normals; e ≥ −14 (subnormals)
        int e = Math.max(Math.getExponent(f), -14);
        if (e > 15) {
            return (short) (sign | 0x7C00); // overflow → ±inf
        }
        double r = Math.rint(Math.abs((double) f) / Math.scalb(1.0, e - 10));
        int magnitude = ((e + 15) << 10) + ((int) r - 1024);
        return (short) (sign | Math.min(magnitude, 0x7C00));
    }
}
