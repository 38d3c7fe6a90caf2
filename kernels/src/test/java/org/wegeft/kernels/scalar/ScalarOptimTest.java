package org.wegeft.kernels.scalar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.wegeft.kernels.TestBuffers.floats;
import static org.wegeft.kernels.TestBuffers.toArray;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class ScalarOptimTest {

    @Test
    void firstAdamwStepMovesEachParameterByAboutLrAgainstItsGradientSign() {
        // step 1: m̂ = g, v̂ = g², so p ← p(1 − lr·wd) − lr·g/(|g| + eps)
        float lr = 0.1f;
        float wd = 0.5f;
        float eps = 1e-8f;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = floats(arena, 1f, -2f, 3f);
            MemorySegment g = floats(arena, 0.5f, -4f, 0f);
            MemorySegment m = floats(arena, 0f, 0f, 0f);
            MemorySegment v = floats(arena, 0f, 0f, 0f);
            new ScalarBackend().adamw(p, g, m, v, 3, lr, 0.9f, 0.999f, eps, wd, 1);
            float[] out = toArray(p, 3);
            assertEquals(1f * 0.95f - 0.1f * 0.5f / (0.5f + eps), out[0], 1e-6f);
            assertEquals(-2f * 0.95f + 0.1f * 4f / (4f + eps), out[1], 1e-6f);
            assertEquals(3f * 0.95f, out[2], 1e-6f);
            // the float betas are not exactly 0.9 / 0.999: 1 − β is taken from the float value
            assertEquals((1 - (double) 0.9f) * 0.5, toArray(m, 3)[0], 1e-9);
            assertEquals((1 - (double) 0.999f) * 16, toArray(v, 3)[1], 1e-9);
        }
    }

    @Test
    void laterAdamwStepUsesBiasCorrectedMoments() {
        // step 3 with m = 0.2, v = 0.01 before the step, g = 0.1 (hand computation below, in double)
        double b1 = 0.9;
        double b2 = 0.99;
        double m = b1 * 0.2 + (1 - b1) * 0.1;
        double v = b2 * 0.01 + (1 - b2) * 0.01;
        double mHat = m / (1 - Math.pow(b1, 3));
        double vHat = v / (1 - Math.pow(b2, 3));
        double expected = 0.5 * (1 - 0.01 * 0.1) - 0.01 * mHat / (Math.sqrt(vHat) + 1e-6);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = floats(arena, 0.5f);
            MemorySegment ms = floats(arena, 0.2f);
            MemorySegment vs = floats(arena, 0.01f);
            new ScalarBackend().adamw(p, floats(arena, 0.1f), ms, vs, 1, 0.01f, 0.9f, 0.99f, 1e-6f, 0.1f, 3);
            assertEquals(expected, toArray(p, 1)[0], 1e-6);
            assertEquals(m, toArray(ms, 1)[0], 1e-7);
            assertEquals(v, toArray(vs, 1)[0], 1e-8);
        }
    }

    @Test
    void adamwRejectsStepZero() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = floats(arena, 0f);
            assertThrows(IllegalArgumentException.class,
                    () -> new ScalarBackend().adamw(s, s, s, s, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 0));
        }
    }
}
