package org.wegeft.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.Parallel;

/**
 * GEMMs whose whole result is at most 16 rows by one vector of columns, with any inner dimension (an r×r product
 * of two adapters' factors, {@code aᵀ·b} over thousands of rows): the blocked kernel would pack a long operand for
 * a few tiles. C rows = Σ_k op(A)[i,k] · op(B)[k,:], op(B) packed k-major into one vector per k, eight rows of C in
 * registers. Every element of C is summed over k in increasing order by one thread, so results do not depend on
 * the thread count. {@code beta == 0} never reads C.
 *
 * <p>Only these shapes come here: the other skinny products (n ≤ one vector, k ≤ 16, or m ≤ 16 against a long
 * operand, as the low-rank adapters and generation make) run faster in {@link CpuGemm}'s blocked kernel, as measured
 * side by side in docs/gemm.md.
 */
final class GemmSkinny {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Largest m this class takes. */
    private static final int SHORT_M = 16;
    /** Products below this much work (m·n·k) stay on the calling thread. */
    private static final long THREADING_WORK = 1L << 18;

    private GemmSkinny() {
    }

    /** Whether this class takes the product: at most 16 rows and one vector of columns. */
    static boolean takes(GemmSpec s) {
        return s.m() <= SHORT_M && s.n() <= L;
    }

    /** One product (batch element at the given offsets) on up to {@code threads} threads. */
    static void product(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c, long offA, long offB,
                        long offC, int threads) {
        narrowN(s, a, b, c, offA, offB, offC, threads);
    }

    private static boolean parallel(GemmSpec s, int threads) {
        return threads > 1 && (long) s.m() * s.n() * s.k() >= THREADING_WORK;
    }

    /**
     * Per-thread scratch, reused across calls: slot 0 holds the packed op(B) a call shares with its tasks (the
     * calling thread's), slot 1 a task's tile. Contents are undefined; padding lanes may hold old values, which only
     * ever reach lanes that are not stored.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {{}, {}});

    private static float[] scratch(int slot, int floats) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < floats) {
            s[slot] = new float[floats];
        }
        return s[slot];
    }

    private static FloatVector bc(float x) {
        return FloatVector.broadcast(S, x);
    }

    /** op(B)[kk, j] as stored. */
    private static float opB(GemmSpec s, MemorySegment b, long offB, int kk, int j) {
        return b.getAtIndex(F, offB + (s.transB() ? (long) j * s.ldb() + kk : (long) kk * s.ldb() + j));
    }

    /** Writes alpha·acc (+ beta·C) to the first {@code cols} columns of C's row at element {@code at}. */
    private static void store(MemorySegment c, long at, FloatVector acc, float alpha, float beta,
                              VectorMask<Float> mask, boolean full) {
        FloatVector v = acc.mul(alpha);
        long byteOff = at * Float.BYTES;
        if (full) {
            if (beta != 0f) {
                v = FloatVector.fromMemorySegment(S, c, byteOff, NATIVE).mul(beta).add(v);
            }
            v.intoMemorySegment(c, byteOff, NATIVE);
        } else {
            if (beta != 0f) {
                v = FloatVector.fromMemorySegment(S, c, byteOff, NATIVE, mask).mul(beta).add(v);
            }
            v.intoMemorySegment(c, byteOff, NATIVE, mask);
        }
    }

    // ------------------------------------------------------------------ n ≤ L

    private static void narrowN(GemmSpec s, MemorySegment a, MemorySegment b, MemorySegment c, long offA,
                                long offB, long offC, int threads) {
        int m = s.m();
        int n = s.n();
        int k = s.k();
        float[] bk = scratch(0, k * L);                     // op(B) k-major, one vector per k (lanes past n unused)
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < n; j++) {
                bk[kk * L + j] = opB(s, b, offB, kk, j);
            }
        }
        long rs = s.transA() ? 1 : s.lda();                 // element step between rows of op(A)
        long ks = s.transA() ? s.lda() : 1;                 // ... and along k
        int blocks = Math.ceilDiv(m, 8);
        VectorMask<Float> mask = S.indexInRange(0, n);
        boolean full = n == L;
        Parallel.RangeBody body = (b0, b1) -> {
            float[] tile = scratch(1, 8 * L);
            for (int blk = b0; blk < b1; blk++) {
                int i0 = blk * 8;
                if (m - i0 >= 8) {
                    narrowN8(s, a, offA + i0 * rs, rs, ks, k, bk, c, offC + (long) i0 * s.ldc(), mask, full, tile);
                } else {
                    for (int i = i0; i < m; i++) {
                        FloatVector acc = FloatVector.zero(S);
                        long ai = offA + i * rs;
                        for (int kk = 0; kk < k; kk++) {
                            acc = FloatVector.fromArray(S, bk, kk * L).fma(bc(a.getAtIndex(F, ai + kk * ks)), acc);
                        }
                        store(c, offC + (long) i * s.ldc(), acc, s.alpha(), s.beta(), mask, full);
                    }
                }
            }
        };
        if (parallel(s, threads)) {
            Parallel.forRange(blocks, 4, body);
        } else {
            body.run(0, blocks);
        }
    }

    /** Eight rows of C from op(A) rows starting at element {@code a0}; {@code tile}: scratch of eight vectors. */
    private static void narrowN8(GemmSpec s, MemorySegment a, long a0, long rs, long ks, int k, float[] bk,
                                 MemorySegment c, long c0, VectorMask<Float> mask, boolean full, float[] tile) {
        FloatVector c0v = FloatVector.zero(S);
        FloatVector c1v = c0v;
        FloatVector c2v = c0v;
        FloatVector c3v = c0v;
        FloatVector c4v = c0v;
        FloatVector c5v = c0v;
        FloatVector c6v = c0v;
        FloatVector c7v = c0v;
        for (int kk = 0; kk < k; kk++) {
            FloatVector bv = FloatVector.fromArray(S, bk, kk * L);
            long at = a0 + kk * ks;
            c0v = bv.fma(bc(a.getAtIndex(F, at)), c0v);
            c1v = bv.fma(bc(a.getAtIndex(F, at + rs)), c1v);
            c2v = bv.fma(bc(a.getAtIndex(F, at + 2 * rs)), c2v);
            c3v = bv.fma(bc(a.getAtIndex(F, at + 3 * rs)), c3v);
            c4v = bv.fma(bc(a.getAtIndex(F, at + 4 * rs)), c4v);
            c5v = bv.fma(bc(a.getAtIndex(F, at + 5 * rs)), c5v);
            c6v = bv.fma(bc(a.getAtIndex(F, at + 6 * rs)), c6v);
            c7v = bv.fma(bc(a.getAtIndex(F, at + 7 * rs)), c7v);
        }
        // through a small array and one store site: eight inline stores outgrow C2's node budget (boxed vectors)
        c0v.intoArray(tile, 0);
        c1v.intoArray(tile, L);
        c2v.intoArray(tile, 2 * L);
        c3v.intoArray(tile, 3 * L);
        c4v.intoArray(tile, 4 * L);
        c5v.intoArray(tile, 5 * L);
        c6v.intoArray(tile, 6 * L);
        c7v.intoArray(tile, 7 * L);
        long ldc = s.ldc();
        float alpha = s.alpha();
        float beta = s.beta();
        for (int r = 0; r < 8; r++) {
            store(c, c0 + r * ldc, FloatVector.fromArray(S, tile, r * L), alpha, beta, mask, full);
        }
    }
}
