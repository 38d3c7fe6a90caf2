package org.wegeft.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.WeightDropout;

/** The vector weight read against its scalar definitions, over every half-precision bit pattern. */
class WeightReadTest {
    private static final int L = GemmKernels.L;

    /** Every 16-bit pattern, in order. */
    private static MemorySegment allHalves(Arena arena) {
        MemorySegment s = arena.allocate(JAVA_SHORT, 1 << 16);
        for (int i = 0; i < 1 << 16; i++) {
            s.setAtIndex(JAVA_SHORT, i, (short) i);
        }
        return s;
    }

    @Test
    void bf16AndF16WidenLikeTheScalarConversionsForEveryBitPattern() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment halves = allHalves(arena);
            MemorySegment out = arena.allocate(JAVA_FLOAT, L);
            for (DType t : new DType[] {DType.BF16, DType.F16}) {
                WeightRead w = WeightRead.of(t, null);
                for (int i = 0; i < 1 << 16; i += L) {
                    w.plain(halves, i).intoMemorySegment(out, 0, java.nio.ByteOrder.nativeOrder());
                    for (int l = 0; l < L; l++) {
                        short h = (short) (i + l);
                        float want = t == DType.BF16 ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat(h);
                        float got = out.getAtIndex(JAVA_FLOAT, l);
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                                t + " bits 0x" + Integer.toHexString(h & 0xffff));
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(w.get(halves, i + l)),
                                t + " scalar, bits 0x" + Integer.toHexString(h & 0xffff));
                    }
                }
            }
        }
    }

    @Test
    void dropoutInRegistersMatchesTheRecordsDefinitionAndItsRate() {
        WeightDropout d = new WeightDropout(0x1234_5678_9ABC_DEF0L, 0.1f);
        int n = 1 << 16;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w32 = arena.allocate(JAVA_FLOAT, n);
            for (int i = 0; i < n; i++) {
                w32.setAtIndex(JAVA_FLOAT, i, 1f + i % 7);
            }
            MemorySegment out = arena.allocate(JAVA_FLOAT, L);
            WeightRead w = WeightRead.of(DType.F32, d);
            int dropped = 0;
            for (int i = 0; i < n; i += L) {
                w.dropped(w32, i).intoMemorySegment(out, 0, java.nio.ByteOrder.nativeOrder());
                for (int l = 0; l < L; l++) {
                    float want = d.apply(i + l, 1f + (i + l) % 7);
                    assertEquals(want, out.getAtIndex(JAVA_FLOAT, l), "vector, element " + (i + l));
                    assertEquals(want, w.get(w32, i + l), "scalar, element " + (i + l));
                    dropped += want == 0f ? 1 : 0;
                }
            }
            double rate = dropped / (double) n;
            assertTrue(Math.abs(rate - 0.1) < 0.005, "drop rate " + rate);
        }
    }

    @Test
    void aNewKeyDrawsANewMaskAndTheSameKeyTheSameOne() {
        WeightDropout a = new WeightDropout(1L, 0.5f);
        WeightDropout b = new WeightDropout(2L, 0.5f);
        int same = 0;
        for (long e = 0; e < 10_000; e++) {
            same += a.keeps(e) == b.keeps(e) ? 1 : 0;
            assertEquals(a.keeps(e), new WeightDropout(1L, 0.5f).keeps(e));
        }
        assertTrue(same > 4_700 && same < 5_300, "masks of two keys agree on " + same + " of 10,000 elements");
    }
}
