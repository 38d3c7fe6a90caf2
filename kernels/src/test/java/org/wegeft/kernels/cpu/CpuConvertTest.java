package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.kernels.cpu.CpuTestSupport.CPU;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.DType;

class CpuConvertTest {

    /** Nearest of the two candidates in double (exact for these formats), ties to the even one. */
    private static int nearestEven(double x, int lo, double loValue, int hi, double hiValue) {
        double dl = Math.abs(x - loValue);
        double dh = Math.abs(hiValue - x);
        if (dl != dh) {
            return dl < dh ? lo : hi;
        }
        return (lo & 1) == 0 ? lo : hi;
    }

    private static float bf16Value(int bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Reference f32 → bf16 bits: pick between truncation and the next bf16 up in magnitude. */
    private static short bf16Ref(float f) {
        if (Float.isNaN(f)) {
            return (short) 0x7FC0;
        }
        int trunc = Float.floatToRawIntBits(f) >>> 16;
        if (Float.isInfinite(f)) {
            return (short) trunc;
        }
        int up = trunc + 1;   // next magnitude (may become ±inf, which is then the right answer)
        double hiValue = (up & 0x7FFF) == 0x7F80 ? Math.copySign(Math.pow(2, 128), f) : bf16Value(up);
        return (short) nearestEven(f, trunc, bf16Value(trunc), up, hiValue);
    }

    static float[] interesting(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        float[] x = new float[n];
        float[] special = {0f, -0f, 1f, -1f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 65504f, 65520f, 65519.99f, 6e-8f, 3e-8f,
                1.00390625f /* exact bf16 tie */, 1.01171875f, Float.intBitsToFloat(0x3F808000)};
        for (int i = 0; i < n; i++) {
            x[i] = i < special.length ? special[i] : Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(x[i])) {
                x[i] = (float) rnd.nextGaussian() * 100;
            }
        }
        return x;
    }

    static int[] sizes() {
        return new int[] {1, 3, 7, 33, 257, 100_003};
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void f32ToBf16RoundsToNearestEven(int n) {
        float[] x = interesting(n);
        short[] out = new short[n];
        CPU.convert(DType.F32, MemorySegment.ofArray(x), DType.BF16, MemorySegment.ofArray(out), n);
        for (int i = 0; i < n; i++) {
            assertEquals(bf16Ref(x[i]), out[i], "element " + i + " = " + x[i]);
        }
    }

    @Test
    void f32ToBf16KeepsNaNQuiet() {
        float[] x = new float[40];
        java.util.Arrays.fill(x, Float.intBitsToFloat(0x7F800001));   // signalling NaN, would round to inf
        short[] out = new short[40];
        CPU.convert(DType.F32, MemorySegment.ofArray(x), DType.BF16, MemorySegment.ofArray(out), 40);
        for (short s : out) {
            assertTrue(Float.isNaN(bf16Value(s)), "NaN became " + bf16Value(s));
        }
    }

    @Test
    void everyBf16AndF16ValueWidensExactly() {
        int n = 1 << 16;
        short[] all = new short[n];
        for (int i = 0; i < n; i++) {
            all[i] = (short) i;
        }
        float[] wide = new float[n];
        CPU.convert(DType.BF16, MemorySegment.ofArray(all), DType.F32, MemorySegment.ofArray(wide), n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(bf16Value(i)), Float.floatToRawIntBits(wide[i]), "bf16 " + i);
        }
        CPU.convert(DType.F16, MemorySegment.ofArray(all), DType.F32, MemorySegment.ofArray(wide), n);
        for (int i = 0; i < n; i++) {
            assertEquals(f16Value(i), wide[i], 0f, "f16 bits " + Integer.toHexString(i));
        }
    }

    /** Decodes IEEE binary16 by hand (independent of Float.float16ToFloat). */
    private static float f16Value(int bits) {
        int sign = (bits >> 15) & 1;
        int exp = (bits >> 10) & 0x1F;
        int man = bits & 0x3FF;
        double v;
        if (exp == 0x1F) {
            v = man == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exp == 0) {
            v = man * Math.pow(2, -24);
        } else {
            v = (1 + man / 1024.0) * Math.pow(2, exp - 15);
        }
        return (float) (sign == 1 ? -v : v);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void f32ToF16RoundsToNearestEvenAndOverflowsToInfinity(int n) {
        float[] x = interesting(n);
        for (int i = 17; i < n; i++) {
            x[i] = x[i] * 1e-36f;   // bring random values into f16 range (and its subnormals)
        }
        short[] out = new short[n];
        CPU.convert(DType.F32, MemorySegment.ofArray(x), DType.F16, MemorySegment.ofArray(out), n);
        for (int i = 0; i < n; i++) {
            float f = x[i];
            int bits = out[i] & 0xFFFF;
            float got = f16Value(bits);
            if (Math.abs(f) >= 65520f) {
                assertEquals(Math.copySign(Float.POSITIVE_INFINITY, f), got, "overflow of " + f);
                continue;
            }
            // the neighbours of got in magnitude must not be closer to f (ties: got's mantissa even)
            int mag = bits & 0x7FFF;
            double err = Math.abs((double) f - got);
            for (int nb : new int[] {mag - 1, mag + 1}) {
                if (nb < 0 || nb >= 0x7C00) {
                    continue;
                }
                double alt = Math.abs(Math.abs((double) f) - f16Value(nb));
                assertTrue(err < alt || (err == alt && (mag & 1) == 0),
                        "element " + i + ": " + f + " → " + got + " but " + f16Value(nb) + " is nearer");
            }
            assertEquals(f == 0 ? Math.copySign(1f, f) : Math.signum(f), Math.copySign(1f, got), "sign of " + f);
        }
    }

    @Test
    void bf16ToF16GoesThroughFloat() {
        short[] src = {(short) 0x3F80, (short) 0xC040, (short) 0x0000};   // 1, −3, 0 in bf16
        short[] dst = new short[3];
        CPU.convert(DType.BF16, MemorySegment.ofArray(src), DType.F16, MemorySegment.ofArray(dst), 3);
        assertEquals(1f, f16Value(dst[0] & 0xFFFF));
        assertEquals(-3f, f16Value(dst[1] & 0xFFFF));
        assertEquals(0f, f16Value(dst[2] & 0xFFFF));
        CPU.convert(DType.F16, MemorySegment.ofArray(dst), DType.BF16, MemorySegment.ofArray(src), 3);
        assertEquals(-3f, bf16Value(src[1]));
    }

    @Test
    void intConversionIsRejectedNamingTheTypes() {
        var e = assertThrows(IllegalArgumentException.class, () -> CPU.convert(DType.I32,
                MemorySegment.ofArray(new int[1]), DType.F32, MemorySegment.ofArray(new float[1]), 1));
        assertTrue(e.getMessage().contains("I32"), e.getMessage());
    }
}
