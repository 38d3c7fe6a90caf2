package org.wegeft.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared Vector-API plumbing: the float species, element-indexed loads and stores on segments, a
 * fixed-order lane sum, and our own vectorised exp, log, tanh and erf.
 *
 * <p>Determinism: the JDK's lanewise transcendentals ({@code VectorOperators.EXP}, {@code LOG}, ...) and
 * {@code reduceLanes(ADD)} give different bits in the interpreter/C1 (per-lane Java fallback, lanes summed in
 * order) and in C2 (intrinsic stubs, tree-shaped reductions). Everything here is built from IEEE-exact
 * operations only (add, mul, fma, div, min/max, compares, blends, integer ops, bit casts), so each function
 * returns the same bits whichever tier runs it. No kernel in this package may use the JDK ones.
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

    /**
     * Σ of the lanes of v in a fixed pairwise order (upper half added onto the lower half until one lane
     * is left): the same bits in every JIT tier, unlike {@code reduceLanes(ADD)}.
     */
    static float sum(FloatVector v) {
        // the rotations as constants (static finals fold; elements of a static array do not, and C2 then boxes the
        // shuffles and vectors of every call)
        if (L > 16) {
            for (VectorShuffle<Float> s : HALVES) {
                v = v.add(v.rearrange(s));   // lanes [0, w) += lanes [w, 2w)
            }
            return v.lane(0);
        }
        if (L == 16) {
            v = v.add(v.rearrange(ROT8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(ROT4));
        }
        if (L >= 4) {
            v = v.add(v.rearrange(ROT2));
        }
        if (L >= 2) {
            v = v.add(v.rearrange(ROT1));
        }
        return v.lane(0);
    }

    /** Rotations by L/2, L/4, ..., 1 lanes, the steps of {@link #sum(FloatVector)}. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] HALVES = new VectorShuffle[Integer.numberOfTrailingZeros(L)];

    static {
        for (int k = 0; k < HALVES.length; k++) {
            int w = L >> (k + 1);
            HALVES[k] = VectorShuffle.fromOp(F, i -> (i + w) & (L - 1));
        }
    }

    static final VectorShuffle<Float> ROT8 = VectorShuffle.fromOp(F, i -> (i + 8) & (L - 1));
    static final VectorShuffle<Float> ROT4 = VectorShuffle.fromOp(F, i -> (i + 4) & (L - 1));
    static final VectorShuffle<Float> ROT2 = VectorShuffle.fromOp(F, i -> (i + 2) & (L - 1));
    static final VectorShuffle<Float> ROT1 = VectorShuffle.fromOp(F, i -> (i + 1) & (L - 1));

    /** Σ of the lanes of v selected by m, in the order of {@link #sum(FloatVector)}. */
    static float sum(FloatVector v, VectorMask<Float> m) {
        return sum(FloatVector.zero(F).blend(v, m));
    }

    static VectorMask<Float> tail(long i, long to) {
        return F.indexInRange(i, to);
    }

    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    /**
     * This thread's scratch of at least {@code floats} floats (grown as needed, contents undefined), for kernels
     * that stage a block between passes (attention's scores, GELU's backward). One kernel uses it at a time on a
     * thread. Native memory, not a heap array's segment: the vector loads and stores the kernels share are
     * compiled for the native segments tensors use, and one heap segment among them makes C2 give up their
     * intrinsics (measured: every CPU kernel several times slower, allocating on every vector op).
     */
    static MemorySegment scratch(long floats) {
        MemorySegment s = SCRATCH.get();
        if (s.byteSize() < floats * Float.BYTES) {
            s = java.lang.foreign.Arena.ofAuto().allocate(floats * Float.BYTES, 64);
            SCRATCH.set(s);
        }
        return s;
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

    /** Columns per task of a column-chunked pass. */
    static final int COL_CHUNK = 256;
    /** Elements of work per task of a column-chunked pass. */
    private static final long COL_GRAIN = 1 << 14;

    /**
     * Runs body over [0, cols) in chunks of {@link #COL_CHUNK} columns, in parallel; each chunk reads all {@code rows}
     * rows of its columns, so sums over rows run in row order: race-free and bit-identical whatever the thread count.
     */
    static void columnChunks(int cols, int rows, ColumnChunk body) {
        int chunks = Math.ceilDiv(cols, COL_CHUNK);
        int grain = (int) Math.max(1, COL_GRAIN / Math.max(1L, (long) rows * COL_CHUNK));
        org.wegeft.kernels.Parallel.forRange(chunks, grain, (k0, k1) -> {
            for (int k = k0; k < k1; k++) {
                int c0 = k * COL_CHUNK;
                int c1 = Math.min(cols, c0 + COL_CHUNK);
                body.run(c0, c1, c0 + F.loopBound(c1 - c0));
            }
        });
    }

    /** The work on columns [c0, c1); vb = c0 + the vector loop bound of c1 − c0. */
    @FunctionalInterface
    interface ColumnChunk {
        void run(int c0, int c1, long vb);
    }

    // ------------------------------------------------------------------ exp, log, tanh

    private static final float LOG2E = (float) (1 / StrictMath.log(2));
    // ln 2 = LN2_HI + LN2_LO with LN2_HI on 16 bits, so k·LN2_HI is exact for |k| < 2^8
    private static final float LN2_HI = 0x1.62e4p-1f;
    private static final float LN2_LO = (float) (StrictMath.log(2) - LN2_HI);
    /** 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer (ties to even). */
    private static final float ROUND_MAGIC = 0x1.8p23f;
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
    /** Below EXP_LO, e^x is under half the smallest subnormal (→ 0); above EXP_HI it overflows (→ +inf). */
    private static final float EXP_LO = -104f;
    private static final float EXP_HI = 89f;
    // Taylor coefficients 1/k!, k = 2..7, of e^r on |r| ≤ ln2/2 (truncation error < 0.15 ulp)
    private static final float[] EXP_POLY = {
        1f / 2, 1f / 6, 1f / 24, 1f / 120, 1f / 720, 1f / 5040};
    /** Bits of √½: x − SQRT_HALF_BITS splits x into 2^e · m with m in [√½, √2). */
    private static final int SQRT_HALF_BITS = 0x3f3504f3;
    // atanh series: log(1+f) = 2·atanh(s), s = f/(2+f); R(z) = Σ 2z^k/(2k+1), k = 1..4, z = s² ≤ 0.0295
    private static final float[] LOG_POLY = {2f / 3, 2f / 5, 2f / 7, 2f / 9};
    /** |x| below which tanh uses its odd polynomial; tanh(TANH_SPLIT) > ½ so 1 − 2/(e^2|x| + 1) is exact above. */
    private static final float TANH_SPLIT = 0.625f;
    // tanh(x) = x + x³·P(x²) on |x| ≤ 0.625, relative error 6e-9 (fit by tools/fit_tanh_poly.py, degree 4)
    private static final float[] TANH_POLY = {
        -3.333328068e-01f, 1.333143115e-01f, -5.373915657e-02f, 2.063786238e-02f, -5.704042502e-03f};

    /** Horner evaluation of c[0] + c[1]·z + ... in fma steps. */
    private static FloatVector poly(FloatVector z, float[] c) {
        FloatVector p = FloatVector.broadcast(F, c[c.length - 1]);
        for (int i = c.length - 2; i >= 0; i--) {
            p = p.fma(z, FloatVector.broadcast(F, c[i]));
        }
        return p;
    }

    /** 2^n as a float for −126 ≤ n ≤ 127. */
    private static FloatVector pow2(IntVector n) {
        return n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /**
     * e^x, within 1.05 ulp (measured by CpuVecMathTest; subnormal results included); +inf above 88.72,
     * 0 below −103.97, NaN → NaN. x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite), e^x = 2^k · e^r.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);                  // NaN stays NaN
        FloatVector t = xc.fma(FloatVector.broadcast(F, LOG2E), FloatVector.broadcast(F, ROUND_MAGIC));
        FloatVector k = t.sub(ROUND_MAGIC);                          // round(x·log2 e)
        IntVector n = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_HI), xc); // exact
        r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector y = poly(r, EXP_POLY).fma(r.mul(r), r).add(1f); // e^r = 1 + r + r²·P(r)
        // 2^k in two factors so −150 ≤ k ≤ 128 needs no special case and a subnormal result rounds once
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
        return y.mul(pow2(n1)).mul(pow2(n.sub(n1)));
    }

    /**
     * Natural log, within 0.83 ulp (measured); log(±0) = −inf, log(x &lt; 0) = NaN,
     * log(+inf) = +inf, NaN → NaN, subnormals handled. x = 2^e · (1 + f) with 1 + f in [√½, √2).
     */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(0x1p23f), sub);              // subnormals scaled into the normal range
        IntVector d = xs.reinterpretAsInts().sub(SQRT_HALF_BITS);
        FloatVector e = ((FloatVector) d.lanewise(VectorOperators.ASHR, 23).convert(VectorOperators.I2F, 0))
                .sub(FloatVector.zero(F).blend(23f, sub));
        FloatVector m = d.and(0x007fffff).add(SQRT_HALF_BITS).reinterpretAsFloats();
        FloatVector f = m.sub(1f);                                   // exact
        FloatVector s = f.div(f.add(2f));
        FloatVector z = s.mul(s);
        FloatVector r = poly(z, LOG_POLY).mul(z);
        FloatVector hfsq = f.mul(f).mul(0.5f);
        // log(1+f) = f − hfsq + s·(hfsq + R); log x = e·LN2_HI + (log(1+f) + e·LN2_LO), e·LN2_HI exact
        FloatVector lo = s.fma(hfsq.add(r), e.mul(LN2_LO));
        FloatVector y = e.fma(FloatVector.broadcast(F, LN2_HI), f.sub(hfsq.sub(lo)));
        y = y.blend(x, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        y = y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        return y.blend(Float.NaN, x.compare(VectorOperators.LT, 0f).or(x.test(VectorOperators.IS_NAN)));
    }

    /**
     * tanh, within 1.3 ulp (measured); an odd polynomial below {@link #TANH_SPLIT}, sign(x)·(1 − 2/(e^{2|x|} + 1)) above
     * (which rounds to ±1 from |x| ≈ 9); ±inf → ±1, NaN → NaN, −0 → −0.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector z = a.mul(a);
        FloatVector small = a.mul(z).fma(poly(z, TANH_POLY), a);
        FloatVector big = FloatVector.broadcast(F, 1f)
                .sub(FloatVector.broadcast(F, 2f).div(exp(a.min(10f).mul(2f)).add(1f)));
        FloatVector t = small.blend(big, a.compare(VectorOperators.GE, TANH_SPLIT));  // tanh|x|, NaN kept
        return t.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
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
                .sub(exp(q.sub(ac.mul(ac))));
        large = large.blend(large.neg(), x.compare(VectorOperators.LT, 0f));
        return small.blend(large, a.compare(VectorOperators.GE, ERF_SPLIT));
    }
}
