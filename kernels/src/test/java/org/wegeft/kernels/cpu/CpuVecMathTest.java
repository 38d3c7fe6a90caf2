package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Accuracy of the tier-deterministic vector exp, log and tanh in {@link CpuVec}, in ulp of the float result,
 * against Math in double over about a million points each (value sweeps, bit-pattern sweeps, edge values).
 */
class CpuVecMathTest {
    private static final int POINTS = 1 << 19;

    /** Applies f to every element, L lanes at a time (the array length is a multiple of L). */
    private static float[] apply(UnaryOperator<FloatVector> f, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += L) {
            f.apply(FloatVector.fromArray(F, x, i)).intoArray(y, i);
        }
        return y;
    }

    private static float[] padded(float[] x) {
        return Arrays.copyOf(x, Math.ceilDiv(x.length, L) * L);
    }

    /** POINTS values uniform in [lo, hi] and POINTS float bit patterns evenly spaced in [lo, hi]. */
    private static float[] sweep(float lo, float hi, float... edges) {
        float[] x = new float[2 * POINTS + edges.length];
        for (int i = 0; i < POINTS; i++) {
            x[i] = (float) (lo + (hi - lo) * (i / (double) (POINTS - 1)));
        }
        // ordered int keys of floats: monotonic in the float value, negatives included
        long klo = key(lo);
        long khi = key(hi);
        for (int i = 0; i < POINTS; i++) {
            x[POINTS + i] = unkey(klo + (khi - klo) * i / (POINTS - 1));
        }
        System.arraycopy(edges, 0, x, 2 * POINTS, edges.length);
        return padded(x);
    }

    private static long key(float f) {
        int b = Float.floatToRawIntBits(f);
        return b >= 0 ? b : -(long) (b & 0x7fffffff);
    }

    private static float unkey(long k) {
        return k >= 0 ? Float.intBitsToFloat((int) k) : -Float.intBitsToFloat((int) -k);
    }

    /** |got − want| in units of the ulp of want's binade (subnormal ulp below MIN_NORMAL). */
    static double ulpError(float got, double want) {
        if (Double.isNaN(want) || Float.isNaN(got)) {
            return Double.isNaN(want) == Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        }
        float w = (float) want;
        if (Float.isInfinite(got) || Float.isInfinite(w)) {
            boolean maxVsInf = Math.abs(got) == Float.MAX_VALUE || Math.abs(w) == Float.MAX_VALUE;
            return got == w ? 0 : maxVsInf && Math.signum(got) == Math.signum(w) ? 1 : Double.POSITIVE_INFINITY;
        }
        float a = Math.abs(w);
        double ulp = a <= Math.abs(want) ? Math.ulp(a) : Math.ulp(Math.nextDown(a));
        return Math.abs(got - want) / ulp;
    }

    static Stream<Arguments> functions() {
        float inf = Float.POSITIVE_INFINITY;
        float[] common = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f,
            Float.MAX_VALUE, -Float.MAX_VALUE, inf, -inf, Float.NaN};
        return Stream.of(
                Arguments.of("exp", (UnaryOperator<FloatVector>) CpuVec::exp, (DoubleUnaryOperator) Math::exp,
                        sweep(-105f, 90f, concat(common, 88.72283f, 88.722839f, 88.7229f, -87.33654f, -87.33655f,
                                -103.27892f, -103.972077f, -103.972084f, -104f, 0.34657359f, -0.34657359f)), 2.0),
                Arguments.of("log", (UnaryOperator<FloatVector>) CpuVec::log, (DoubleUnaryOperator) Math::log,
                        concat(sweep(Float.MIN_VALUE, Float.MAX_VALUE), sweep(0.5f, 2f, concat(common,
                                Math.nextUp(1f), Math.nextDown(1f), 0.70710677f, 0.7071068f, 1.4142135f,
                                1.4142137f, 1e-40f, 3e-39f))), 2.0),
                Arguments.of("tanh", (UnaryOperator<FloatVector>) CpuVec::tanh, (DoubleUnaryOperator) Math::tanh,
                        concat(sweep(-20f, 20f), sweep(-1f, 1f, concat(common, 0.625f, -0.625f,
                                Math.nextDown(0.625f), Math.nextUp(0.625f), 9f, -9f, 9.02f, 1e-20f, -1e-20f))),
                        3.0));
    }

    private static float[] concat(float[] a, float... b) {
        float[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return padded(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void isWithinItsUlpBound(String name, UnaryOperator<FloatVector> f, DoubleUnaryOperator ref, float[] x,
                             double bound) {
        float[] y = apply(f, x);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < x.length; i++) {
            double e = ulpError(y[i], ref.applyAsDouble(x[i]));
            if (e > worst) {
                worst = e;
                at = i;
            }
        }
        System.out.printf("%s: max error %.3f ulp over %d points (at x = %s)%n", name, worst, x.length,
                Float.toString(x[at]));
        assertTrue(worst <= bound, name + ": " + worst + " ulp at x = " + x[at] + " (got " + y[at]
                + ", want " + ref.applyAsDouble(x[at]) + "), bound " + bound);
    }

    static Stream<Arguments> specials() {
        float inf = Float.POSITIVE_INFINITY;
        float nan = Float.NaN;
        return Stream.of(
                Arguments.of("exp", (UnaryOperator<FloatVector>) CpuVec::exp,
                        new float[] {nan, inf, -inf, 0f, -0f, 89f, -104f, 1000f, -1000f},
                        new float[] {nan, inf, 0f, 1f, 1f, inf, 0f, inf, 0f}),
                Arguments.of("log", (UnaryOperator<FloatVector>) CpuVec::log,
                        new float[] {nan, inf, -inf, 0f, -0f, -1f, -Float.MIN_VALUE, 1f},
                        new float[] {nan, inf, nan, -inf, -inf, nan, nan, 0f}),
                Arguments.of("tanh", (UnaryOperator<FloatVector>) CpuVec::tanh,
                        new float[] {nan, inf, -inf, 0f, -0f, 50f, -50f, Float.MAX_VALUE},
                        new float[] {nan, 1f, -1f, 0f, -0f, 1f, -1f, 1f}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specials")
    void specialValuesAreExact(String name, UnaryOperator<FloatVector> f, float[] x, float[] want) {
        float[] y = apply(f, padded(x));
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(y[i]),
                    name + "(" + x[i] + ") = " + y[i] + ", want " + want[i]);
        }
    }

    @Test
    void laneSumIsThePairwiseTreeInEveryLanePosition() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] a = CpuTestSupport.random(rnd, L, -1e4, 1e4);
        float[] t = a.clone();
        for (int w = L / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) {
                t[i] += t[i + w];
            }
        }
        FloatVector v = FloatVector.fromArray(F, a, 0);
        assertEquals(Float.floatToIntBits(L == 1 ? a[0] : t[0]), Float.floatToIntBits(CpuVec.sum(v)));
        var m = F.indexInRange(0, Math.max(1, L - 3));
        float[] masked = a.clone();
        for (int i = Math.max(1, L - 3); i < L; i++) {
            masked[i] = 0f;
        }
        assertEquals(CpuVec.sum(FloatVector.fromArray(F, masked, 0)), CpuVec.sum(v, m));
    }
}
