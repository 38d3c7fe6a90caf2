package org.wegeft.kernels.cpu;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Small helpers shared by the CPU backend tests: random data, heap-backed segments, tolerant compares. */
final class CpuTestSupport {
    static final CpuBackend CPU = new CpuBackend();
    /** Sizes that exercise empty, sub-vector, tail and multi-block paths. */
    static final int[] ODD_SIZES = {1, 3, 7, 33, 257};

    private CpuTestSupport() {
    }

    static float[] random(SplittableRandom rnd, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return a;
    }

    /** n floats uniform in [−1, 1) in a segment of the arena. */
    static MemorySegment random(Arena arena, long n, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(JAVA_FLOAT, n);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, i, (float) rnd.nextDouble(-1, 1));
        }
        return s;
    }

    /** The m × n floats of two results have the same bits, else fails naming the first element (row, column). */
    static void assertSameBits(MemorySegment want, MemorySegment got, int m, int n, String what) {
        for (long i = 0; i < (long) m * n; i++) {
            if (Float.floatToRawIntBits(want.getAtIndex(JAVA_FLOAT, i))
                    != Float.floatToRawIntBits(got.getAtIndex(JAVA_FLOAT, i))) {
                assertEquals(want.getAtIndex(JAVA_FLOAT, i), got.getAtIndex(JAVA_FLOAT, i),
                        what + ": element " + i / n + "," + i % n);
            }
        }
    }

    static MemorySegment seg(float[] a) {
        return MemorySegment.ofArray(a);
    }

    static MemorySegment seg(int[] a) {
        return MemorySegment.ofArray(a);
    }

    /** |got − want| ≤ abs + rel·|want| for every element, else fails naming the first bad index. */
    static void assertClose(String what, double[] want, float[] got, double abs, double rel) {
        if (want.length != got.length) {
            fail(what + ": length " + got.length + " != " + want.length);
        }
        for (int i = 0; i < want.length; i++) {
            double w = want[i];
            double g = got[i];
            boolean ok = Double.isNaN(w) ? Float.isNaN(got[i])
                    : (w == g) || Math.abs(g - w) <= abs + rel * Math.abs(w);
            if (!ok) {
                fail(what + ": element " + i + " of " + want.length + " is " + g + ", want " + w);
            }
        }
    }

    static void assertClose(String what, double[] want, float[] got, double tol) {
        assertClose(what, want, got, tol, tol);
    }

    /** erf in double: 2/√π · e^(−x²) · Σ 2ⁿx^(2n+1)/(2n+1)!! (all terms positive, no cancellation). */
    static double erf(double x) {
        double a = Math.abs(x);
        if (a > 6) {
            return Math.signum(x);
        }
        double term = a;
        double sum = a;
        for (int n = 0; n < 400 && term > 1e-18 * sum; n++) {
            term *= 2 * a * a / (2 * n + 3);
            sum += term;
        }
        return Math.signum(x) * 2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum;
    }

    /** log Σ exp(x[off + j]) over j &lt; n, in double, shifted by the max so no term overflows. */
    static double logSumExp(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, x[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(x[off + j] - max);
        }
        return max + Math.log(sum);
    }
}
