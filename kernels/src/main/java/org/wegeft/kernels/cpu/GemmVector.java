package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.L;
import static org.wegeft.kernels.cpu.GemmKernels.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;

import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.Parallel;

/**
 * Products with a few rows against a transposed weight, {@code C (m×n) = alpha·A (m×k)·Wᵀ + beta·C (+ bias)} with W
 * stored (n×k), m ≤ {@link #MAX_ROWS}: a decoding step's projections and LM head. Such a product is bound by reading
 * W once, so nothing is packed: each thread walks its share of W's rows in place, four at a time, widening them
 * ({@link WeightRead}) and multiplying into four accumulators per row of A while the four rows sit in L1.
 *
 * <pre>
 *   for each block of 4 rows of W (threads split the blocks)
 *     for each row i of A (m ≤ 4)
 *       acc0..3 += A[i, p:p+L] * W[j..j+3, p:p+L]      p over k, one vector at a time
 *       C[i, j..j+3] = alpha·Σ lanes(acc) (+ beta·C) (+ bias)
 * </pre>
 */
final class GemmVector {
    /** Most rows of A this kernel takes. */
    static final int MAX_ROWS = 4;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Blocks of four W rows per task: about 64 KB of bf16 at k = 2048. */
    private static final int GRAIN = 4;

    private GemmVector() {
    }

    /**
     * Whether this kernel takes the product: batch 1, a plain A of at most four rows, a transposed B of more than two
     * vectors of rows, k ≥ one vector. (A dropped weight goes to the blocked kernel, which generates the mask.)
     */
    static boolean takes(GemmSpec s) {
        return s.batch() == 1 && s.m() <= MAX_ROWS && s.m() > 0 && !s.transA() && s.transB() && s.k() >= L
                && s.n() > 2 * L;
    }

    /**
     * The product at element offsets offA, offB, offC of a, b, c; {@code bias} is {@link MemorySegment#NULL} for none
     * (then any beta), else beta must be 0. Runs on the calling thread when {@code threads} is 1 or the work small.
     */
    static void product(GemmSpec s, MemorySegment a, long offA, WeightRead w, MemorySegment b, long offB,
                        MemorySegment bias, MemorySegment c, long offC, int threads) {
        int blocks = Math.ceilDiv(s.n(), 4);
        boolean hasBias = !bias.equals(MemorySegment.NULL);
        Span at = new Span(offA, offB, offC);
        if (threads == 1 || (long) s.m() * s.n() * s.k() < (1L << 18)) {
            rows(s, a, w, b, bias, hasBias, c, at, 0, blocks);
        } else {
            Parallel.forRange(blocks, GRAIN, (from, to) -> rows(s, a, w, b, bias, hasBias, c, at, from, to));
        }
    }

    /** Element offsets of A, B and C. */
    private record Span(long a, long b, long c) {
    }

    private static void rows(GemmSpec s, MemorySegment a, WeightRead w, MemorySegment b, MemorySegment bias,
                             boolean hasBias, MemorySegment c, Span at, int fromBlock, int toBlock) {
        int n = s.n();
        int k = s.k();
        int kv = k / L * L;
        long ldb = s.ldb();
        float[] dots = new float[4];
        for (int blk = fromBlock; blk < toBlock; blk++) {
            int j0 = blk * 4;
            int cols = Math.min(4, n - j0);
            // a last block of fewer than four rows reads row j0 again in place of the missing ones
            long w0 = at.b() + j0 * ldb;
            long w1 = at.b() + (cols > 1 ? j0 + 1 : j0) * ldb;
            long w2 = at.b() + (cols > 2 ? j0 + 2 : j0) * ldb;
            long w3 = at.b() + (cols > 3 ? j0 + 3 : j0) * ldb;
            for (int i = 0; i < s.m(); i++) {
                long x = at.a() + (long) i * s.lda();
                // one loop per dtype, so each is compiled for its own widening
                switch (w.dtype()) {
                    case BF16 -> dotsBf16(a, x, b, w0, w1, w2, w3, kv, dots);
                    case F16 -> dotsF16(a, x, b, w0, w1, w2, w3, kv, dots);
                    default -> dotsF32(a, x, b, w0, w1, w2, w3, kv, dots);
                }
                for (int p = kv; p < k; p++) {
                    float xp = a.getAtIndex(F, x + p);
                    dots[0] += xp * w.get(b, w0 + p);
                    dots[1] += xp * w.get(b, w1 + p);
                    dots[2] += xp * w.get(b, w2 + p);
                    dots[3] += xp * w.get(b, w3 + p);
                }
                long ci = at.c() + (long) i * s.ldc() + j0;
                for (int j = 0; j < cols; j++) {
                    store(s, c, bias, hasBias, ci + j, j0 + j, dots[j]);
                }
            }
        }
    }

    /** dots[0..3] = Σ_p x[p]·W_r[p] over p &lt; kv for four rows of a float32 W. */
    private static void dotsF32(MemorySegment a, long x, MemorySegment b, long w0, long w1, long w2, long w3, int kv,
                                float[] dots) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        FloatVector acc2 = FloatVector.zero(S);
        FloatVector acc3 = FloatVector.zero(S);
        for (int p = 0; p < kv; p += L) {
            FloatVector xv = FloatVector.fromMemorySegment(S, a, (x + p) * Float.BYTES, NATIVE);
            acc0 = FloatVector.fromMemorySegment(S, b, (w0 + p) * Float.BYTES, NATIVE).fma(xv, acc0);
            acc1 = FloatVector.fromMemorySegment(S, b, (w1 + p) * Float.BYTES, NATIVE).fma(xv, acc1);
            acc2 = FloatVector.fromMemorySegment(S, b, (w2 + p) * Float.BYTES, NATIVE).fma(xv, acc2);
            acc3 = FloatVector.fromMemorySegment(S, b, (w3 + p) * Float.BYTES, NATIVE).fma(xv, acc3);
        }
        sums(acc0, acc1, acc2, acc3, dots);
    }

    /** {@link #dotsF32} for a BF16 W. */
    private static void dotsBf16(MemorySegment a, long x, MemorySegment b, long w0, long w1, long w2, long w3, int kv,
                                 float[] dots) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        FloatVector acc2 = FloatVector.zero(S);
        FloatVector acc3 = FloatVector.zero(S);
        for (int p = 0; p < kv; p += L) {
            FloatVector xv = FloatVector.fromMemorySegment(S, a, (x + p) * Float.BYTES, NATIVE);
            acc0 = WeightRead.bf16(b, w0 + p).fma(xv, acc0);
            acc1 = WeightRead.bf16(b, w1 + p).fma(xv, acc1);
            acc2 = WeightRead.bf16(b, w2 + p).fma(xv, acc2);
            acc3 = WeightRead.bf16(b, w3 + p).fma(xv, acc3);
        }
        sums(acc0, acc1, acc2, acc3, dots);
    }

    /** {@link #dotsF32} for an F16 W. */
    private static void dotsF16(MemorySegment a, long x, MemorySegment b, long w0, long w1, long w2, long w3, int kv,
                                float[] dots) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        FloatVector acc2 = FloatVector.zero(S);
        FloatVector acc3 = FloatVector.zero(S);
        for (int p = 0; p < kv; p += L) {
            FloatVector xv = FloatVector.fromMemorySegment(S, a, (x + p) * Float.BYTES, NATIVE);
            acc0 = WeightRead.f16(b, w0 + p).fma(xv, acc0);
            acc1 = WeightRead.f16(b, w1 + p).fma(xv, acc1);
            acc2 = WeightRead.f16(b, w2 + p).fma(xv, acc2);
            acc3 = WeightRead.f16(b, w3 + p).fma(xv, acc3);
        }
        sums(acc0, acc1, acc2, acc3, dots);
    }

    /** The lane sums in {@link CpuVec#sum}'s fixed order: the same bits in every JIT tier. */
    private static void sums(FloatVector acc0, FloatVector acc1, FloatVector acc2, FloatVector acc3, float[] dots) {
        dots[0] = CpuVec.sum(acc0);
        dots[1] = CpuVec.sum(acc1);
        dots[2] = CpuVec.sum(acc2);
        dots[3] = CpuVec.sum(acc3);
    }

    private static void store(GemmSpec s, MemorySegment c, MemorySegment bias, boolean hasBias, long at, int col,
                              float dot) {
        float v = s.alpha() * dot;
        if (hasBias) {
            v += bias.getAtIndex(F, col);
        } else if (s.beta() != 0f) {
            v += s.beta() * c.getAtIndex(F, at);
        }
        c.setAtIndex(F, at, v);
    }
}
