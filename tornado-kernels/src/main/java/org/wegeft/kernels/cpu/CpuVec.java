package org.wegeft.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared Vector-API plumbing: the float species, element-indexed loads and stores on segments, and the
 * vectorised transcendental helpers (erf) that the JDK does not provide.
 */
final class CpuVec {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    /** Elements per parallel block of flat elementwise kernels; fixed so results never depend on thread count. */
    static final int BLOCK = 1 << 14;

    private CpuVec() {
    }

    static String describe() {
        return F.vectorBitSize() + "-bit float vectors (" + L + " lanes)";
    }

    static FloatVector ld(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(F, s, i * 4, ORDER);
    }

    static FloatVector ld(MemorySegment s, long i, VectorMask<Float> m) {
        return FloatVector.fromMemorySegment(F, s, i * 4, ORDER, m);
    }

    static void st(MemorySegment s, long i, FloatVector v) {
        v.intoMemorySegment(s, i * 4, ORDER);
    }

    static void st(MemorySegment s, long i, FloatVector v, VectorMask<Float> m) {
        v.intoMemorySegment(s, i * 4, ORDER, m);
    }

    static float get(MemorySegment s, long i) {
        return s.getAtIndex(FLOAT, i);
    }

    static void set(MemorySegment s, long i, float v) {
        s.setAtIndex(FLOAT, i, v);
    }

    static int geti(MemorySegment s, long i) {
        return s.getAtIndex(INT, i);
    }

    static VectorMask<Float> tail(long i, long to) {
        return F.indexInRange(i, to);
    }

    /** Runs body over [0, n) in fixed blocks of {@link #BLOCK} elements, in parallel. */
    static void blocks(long n, LongRange body) {
        long nb = Math.ceilDiv(n, BLOCK);
        if (nb > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("element count " + n + " too large for the CPU backend");
        }
        org.wegeft.kernels.Parallel.forRange((int) nb, 1,
                (b0, b1) -> body.run((long) b0 * BLOCK, Math.min(n, (long) b1 * BLOCK)));
    }

    /** A loop body over the half-open element range [from, to). */
    @FunctionalInterface
    interface LongRange {
        void run(long from, long to);
    }

    // ------------------------------------------------------------------ erf

    // erf(x) = x·P(x²) for |x| < ERF_SPLIT (least-squares fit, max abs error 1.4e-7 in float)
    private static final float ERF_SPLIT = 0.921875f;
    private static final float[] ERF_SMALL = {
        1.128379167e+00f, -3.761263530e-01f, 1.128371385e-01f, -2.686024180e-02f,
        5.202837494e-03f, -8.160806289e-04f, 8.438869596e-05f};
    // erf(a) = 1 − exp(−a² + Q(a)) for ERF_SPLIT ≤ a ≤ 4 (fit of log(erfc(a)) + a²); erf(a ≥ 4) = 1 in float
    private static final float[] ERF_LARGE = {
        3.025342630e-04f, -1.130163947e+00f, 3.680583087e-01f, -1.099739926e-01f, 2.636234856e-02f,
        -4.739406182e-03f, 5.925991846e-04f, -4.557087454e-05f, 1.613085736e-06f};

    /** Vectorised erf, max absolute error about 1.4e-7 (about 2 ulp near 1). */
    static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = FloatVector.broadcast(F, ERF_SMALL[6]);
        for (int i = 5; i >= 0; i--) {
            p = p.fma(z, FloatVector.broadcast(F, ERF_SMALL[i]));
        }
        FloatVector small = x.mul(p);
        FloatVector ac = a.min(4f);
        FloatVector q = FloatVector.broadcast(F, ERF_LARGE[8]);
        for (int i = 7; i >= 0; i--) {
            q = q.fma(ac, FloatVector.broadcast(F, ERF_LARGE[i]));
        }
        FloatVector large = FloatVector.broadcast(F, 1f)
                .sub(q.sub(ac.mul(ac)).lanewise(VectorOperators.EXP));
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
        return small.blend(large, a.compare(VectorOperators.GE, ERF_SPLIT));
    }
}
