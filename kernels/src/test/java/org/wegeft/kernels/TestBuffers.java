package org.wegeft.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.opentest4j.AssertionFailedError;

/**
 * Test helpers: off-heap float/int buffers (allocated in a caller's {@link Arena}) and tolerant comparison. Use
 * {@code Arena.ofShared()} for buffers a multi-threaded backend will see; confined is fine for the scalar backend.
 */
public final class TestBuffers {

    private TestBuffers() {
    }

    /** A float32 buffer holding {@code values}. */
    public static MemorySegment floats(Arena arena, float... values) {
        MemorySegment s = arena.allocate(JAVA_FLOAT, Math.max(1, values.length));
        MemorySegment.copy(values, 0, s, JAVA_FLOAT, 0, values.length);
        return s;
    }

    /** An int32 buffer holding {@code values}. */
    public static MemorySegment ints(Arena arena, int... values) {
        MemorySegment s = arena.allocate(JAVA_INT, Math.max(1, values.length));
        MemorySegment.copy(values, 0, s, JAVA_INT, 0, values.length);
        return s;
    }

    /** n floats uniform in [lo, hi). */
    public static float[] uniform(Random rng, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * rng.nextFloat();
        }
        return v;
    }

    /** A buffer of n floats uniform in [lo, hi). */
    public static MemorySegment random(Arena arena, Random rng, int n, float lo, float hi) {
        return floats(arena, uniform(rng, n, lo, hi));
    }

    /** A buffer of n floats, all {@code value} (NaN to prove a buffer is never read). */
    public static MemorySegment filled(Arena arena, int n, float value) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, value);
        return floats(arena, v);
    }

    /** A fresh copy of the first n floats of {@code src}. */
    public static MemorySegment copy(Arena arena, MemorySegment src, int n) {
        return floats(arena, toArray(src, n));
    }

    /** The first n floats of a buffer. */
    public static float[] toArray(MemorySegment s, long n) {
        return s.asSlice(0, n * Float.BYTES).toArray(JAVA_FLOAT);
    }

    /**
     * Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise (NaN matches NaN, infinities must be
     * equal); the failure message names {@code what}, the first bad index, the count and the worst error.
     */
    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        double[] tol = new double[expected.length];
        for (int i = 0; i < tol.length; i++) {
            tol[i] = atol + rtol * Math.abs(expected[i]);
        }
        assertWithin(what, expected, actual, tol);
    }

    /** Asserts |actual[i] − expected[i]| ≤ tol[i] elementwise (NaN matches NaN, infinities must be equal). */
    public static void assertWithin(String what, float[] expected, float[] actual, double[] tol) {
        if (expected.length != actual.length) {
            throw new AssertionFailedError(what + ": length " + actual.length + ", expected " + expected.length);
        }
        int bad = 0;
        int first = -1;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok;
            if (Float.isNaN(e) || Float.isNaN(a)) {
                ok = Float.isNaN(e) && Float.isNaN(a);
            } else if (Float.isInfinite(e) || Float.isInfinite(a)) {
                ok = e == a;
            } else {
                double err = Math.abs((double) a - e);
                ok = err <= tol[i];
                if (err / Math.max(tol[i], Double.MIN_NORMAL) > worst) {
                    worst = err / Math.max(tol[i], Double.MIN_NORMAL);
                    worstAt = i;
                }
            }
            if (!ok) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            throw new AssertionFailedError(what + ": " + bad + " of " + expected.length + " elements differ; first at ["
                    + first + "]: expected " + expected[first] + ", got " + actual[first] + " (tolerance "
                    + tol[first] + ")" + (worstAt >= 0 ? "; worst error/tolerance " + worst + " at [" + worstAt + "]"
                    : ""));
        }
    }
}
