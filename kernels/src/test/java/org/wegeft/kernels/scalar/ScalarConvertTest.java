package org.wegeft.kernels.scalar;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;

class ScalarConvertTest {
    private final ScalarBackend scalar = new ScalarBackend();

    private short toHalf(DType to, float f) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(JAVA_FLOAT, 1);
            src.setAtIndex(JAVA_FLOAT, 0, f);
            MemorySegment dst = arena.allocate(JAVA_SHORT, 1);
            scalar.convert(DType.F32, src, to, dst, 1);
            return dst.getAtIndex(JAVA_SHORT, 0);
        }
    }

    private float fromHalf(DType from, short h) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(JAVA_SHORT, 1);
            src.setAtIndex(JAVA_SHORT, 0, h);
            MemorySegment dst = arena.allocate(JAVA_FLOAT, 1);
            scalar.convert(from, src, DType.F32, dst, 1);
            return dst.getAtIndex(JAVA_FLOAT, 0);
        }
    }

    @ParameterizedTest(name = "{0} -> bf16 0x{1}")
    @CsvSource({
        "1.0, 3F80", "-2.0, C000", "0.0, 0000", "-0.0, 8000",
        "1.00390625, 3F80",          // 1 + 2^-8: tie between 1 (even) and 1 + 2^-7 → 1
        "1.01171875, 3F82",          // 1 + 3·2^-8: tie between 1 + 2^-7 (odd) and 1 + 2^-6 → even
        "1.0039072036743164, 3F81",  // 1 + 2^-8 + 2^-19: just above the tie → up
        "3.4028234663852886E38, 7F80", // Float.MAX_VALUE rounds past the largest bf16 → inf
        "3.3895313892515355E38, 7F7F", // largest finite bf16
        "Infinity, 7F80", "-Infinity, FF80",
        "9.183549615799121E-41, 0001", // 2^-133: smallest bf16 subnormal
        "1.401298464324817E-45, 0000"  // 2^-149 rounds to zero
    })
    void floatToBf16RoundsToNearestEven(float f, String hex) {
        assertEquals(Integer.parseInt(hex, 16), toHalf(DType.BF16, f) & 0xFFFF, "bf16 bits of " + f);
    }

    @ParameterizedTest(name = "{0} -> f16 0x{1}")
    @CsvSource({
        "1.0, 3C00", "-2.0, C000", "-0.0, 8000", "65504.0, 7BFF",
        "65519.99, 7BFF",          // below the halfway point to 65536 → stays finite
        "65520.0, 7C00",           // halfway, ties to even = 2^16 → overflow → inf
        "1.0E6, 7C00", "-1.0E6, FC00",
        "1.00048828125, 3C00",     // 1 + 2^-11: tie → even (1)
        "1.00146484375, 3C02",     // 1 + 3·2^-11: tie → even (1 + 2^-9)
        "5.960464477539063E-8, 0001",  // 2^-24: smallest f16 subnormal
        "2.9802322387695312E-8, 0000", // 2^-25: tie between 0 (even) and 2^-24 → 0
        "8.940696716308594E-8, 0002",  // 3·2^-25: tie between 2^-24 (odd) and 2^-23 → 2^-23
        "6.097555160522461E-5, 03FF",  // largest f16 subnormal
        "6.103515625E-5, 0400"         // 2^-14: smallest f16 normal
    })
    void floatToF16RoundsToNearestEvenAndOverflowsToInfinity(float f, String hex) {
        assertEquals(Integer.parseInt(hex, 16), toHalf(DType.F16, f) & 0xFFFF, "f16 bits of " + f);
    }

    @Test
    void nanStaysNanInEveryDirection() {
        for (float nan : new float[] {Float.NaN, Float.intBitsToFloat(0x7F800001), Float.intBitsToFloat(0xFFC00000)}) {
            assertTrue(Float.isNaN(fromHalf(DType.BF16, toHalf(DType.BF16, nan))), "bf16 round trip of NaN");
            assertTrue(Float.isNaN(fromHalf(DType.F16, toHalf(DType.F16, nan))), "f16 round trip of NaN");
        }
    }

    @Test
    void everyHalfValueSurvivesARoundTripThroughFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float bf = ScalarConvert.bf16ToFloat(h);
            float hf = ScalarConvert.f16ToFloat(h);
            if (!Float.isNaN(bf)) {
                assertEquals(bits, ScalarConvert.floatToBf16(bf) & 0xFFFF, "bf16 0x" + Integer.toHexString(bits));
            }
            if (!Float.isNaN(hf)) {
                assertEquals(bits, ScalarConvert.floatToF16(hf) & 0xFFFF, "f16 0x" + Integer.toHexString(bits));
                assertEquals(Float.float16ToFloat(h), hf, "f16 value of 0x" + Integer.toHexString(bits));
            } else {
                assertTrue(Float.isNaN(Float.float16ToFloat(h)));
            }
        }
    }

    @Test
    void roundingAgreesWithIndependentImplementationsOnRandomFloats() {
        // bf16: the classic bit trick (add 0x7FFF plus the kept LSB, truncate); f16: the JDK's Float.floatToFloat16
        Random rng = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rng.nextInt());
            if (Float.isNaN(f)) {
                continue;
            }
            int bits = Float.floatToRawIntBits(f);
            int trick = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
            assertEquals(trick & 0xFFFF, ScalarConvert.floatToBf16(f) & 0xFFFF, "bf16 of " + f);
            assertEquals(Float.floatToFloat16(f), ScalarConvert.floatToF16(f), "f16 of " + f);
            float small = f / 0x1p100f; // also exercise the f16 range and its subnormals
            if (Math.abs(small) < 1e5f) {
                assertEquals(Float.floatToFloat16(small), ScalarConvert.floatToF16(small), "f16 of " + small);
            }
        }
    }

    @Test
    void bf16ToF16GoesThroughTheExactFloatValue() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(JAVA_SHORT, 2);
            src.setAtIndex(JAVA_SHORT, 0, (short) 0x3F81); // 1 + 2^-7, exact in f16
            src.setAtIndex(JAVA_SHORT, 1, (short) 0x4780); // 65536 → inf in f16
            MemorySegment dst = arena.allocate(JAVA_SHORT, 2);
            scalar.convert(DType.BF16, src, DType.F16, dst, 2);
            assertEquals(0x3C08, dst.getAtIndex(JAVA_SHORT, 0) & 0xFFFF);
            assertEquals(0x7C00, dst.getAtIndex(JAVA_SHORT, 1) & 0xFFFF);
        }
    }

    @Test
    void integerConversionIsRejectedWithBothDtypesNamed() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(8);
            var e = assertThrows(IllegalArgumentException.class, () -> scalar.convert(DType.I32, s, DType.F32, s, 1));
            assertTrue(e.getMessage().contains("I32") && e.getMessage().contains("F32"), e.getMessage());
        }
    }
}
