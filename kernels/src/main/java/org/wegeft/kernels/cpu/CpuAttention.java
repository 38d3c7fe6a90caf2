package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;
import static org.wegeft.kernels.cpu.CpuVec.get;
import static org.wegeft.kernels.cpu.CpuVec.ld;
import static org.wegeft.kernels.cpu.CpuVec.set;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.Parallel;

/**
 * Scaled dot-product attention through {@link CpuGemm} on blocks of query rows.
 *
 * <pre>
 *   forward, per (head, block of QB query rows; QB = 256 without a mask, 64 with the causal one):
 *     S = scale · Q_blk Kᵀ          (QB × tk)   masked causally, row softmax → P, lse per row
 *     O_blk = P V                   (QB × d)
 *   backward, per head (query blocks in order, dK and dV accumulated):
 *     P  = exp(scale · Q Kᵀ − lse)  (masked → 0)
 *     dV += Pᵀ dO      dP = dO Vᵀ      D = rowsum(dO ⊙ O)
 *     dS = P ⊙ (dP − D)
 *     dQ = scale · dS K               dK += scale · dSᵀ Q
 * </pre>
 * Scratch is the thread's native {@link CpuVec#scratch}. The products run on the thread of their task
 * ({@link CpuGemm#gemmSerial}): the heads already keep every thread busy.
 */
final class CpuAttention {
    /** Query rows per block: 256 covers a ViT head (197 tokens) in one block, which measured fastest. */
    private static final int QB = Integer.getInteger("wegeft.attention.qb", 256);
    /**
     * Query rows per block with a causal mask: smaller, so a block's products stop at the last key it sees (at 64,
     * a 256-token sequence computes 62.5 % of the full score matrix instead of all of it).
     */
    private static final int QB_CAUSAL = Integer.getInteger("wegeft.attention.qbCausal", 64);

    private static int qb(boolean causal) {
        return causal ? QB_CAUSAL : QB;
    }

    private CpuAttention() {
    }

    /** Keys visible to query row i (0-based within the head). */
    private static int visible(int i, int tq, int tk, boolean causal) {
        return causal ? Math.clamp((long) i + tk - tq + 1, 0, tk) : tk;
    }

    // q: (bh, tq, d); k, v: (bh, tk, d); out: (bh, tq, d); lse: (bh, tq)
    static void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        attention(q, d, k, d, v, d, out, d, lse, bh, 1, tq, tk, d, scale, causal);
    }

    /**
     * Token-major operands (see KernelBackend#attentionTokenMajor): head h of sequence b starts at
     * {@code b·t·ld + h·d} with row stride ld. The head-major layout above is batch = bh, heads = 1, ld = d.
     */
    static void attention(MemorySegment q, int ldq, MemorySegment k, int ldk, MemorySegment v, int ldv,
                          MemorySegment out, int ldo, MemorySegment lse, int batch, int heads, int tq, int tk, int d,
                          float scale, boolean causal) {
        int qbs = qb(causal);
        int qBlocks = Math.ceilDiv(tq, qbs);
        Heads hs = new Heads(ldq, ldk, ldv, ldo, heads, tq, tk, d);
        Parallel.forRange(batch * heads * qBlocks, 1, (t0, t1) -> {
            MemorySegment s = CpuVec.scratch((long) qbs * tk);
            for (int t = t0; t < t1; t++) {
                int pair = t / qBlocks;
                int i0 = (t % qBlocks) * qbs;
                int rows = Math.min(qbs, tq - i0);
                forwardBlock(q, k, v, out, lse, s, hs, pair, i0, rows, scale, causal);
            }
        });
    }

    /** Where one (sequence, head) pair's rows start in each operand, and their row strides (floats). */
    private record Heads(int ldq, int ldk, int ldv, int ldo, int heads, int tq, int tk, int d) {
        long q(int pair) {
            return (long) (pair / heads) * tq * ldq + (long) (pair % heads) * d;
        }

        long k(int pair) {
            return (long) (pair / heads) * tk * ldk + (long) (pair % heads) * d;
        }

        long v(int pair) {
            return (long) (pair / heads) * tk * ldv + (long) (pair % heads) * d;
        }

        long o(int pair) {
            return (long) (pair / heads) * tq * ldo + (long) (pair % heads) * d;
        }
    }

    /** Zeroes {@code rows} rows of d floats, row stride ld, from element {@code at} (no slice per row). */
    private static void fillRows(MemorySegment x, long at, int rows, int ld, int d) {
        FloatVector z = FloatVector.zero(F);
        for (int r = 0; r < rows; r++) {
            long ro = at + (long) r * ld;
            for (int j = 0; j < d; j += L) {
                z.intoMemorySegment(x, (ro + j) * 4, CpuVec.ORDER, F.indexInRange(j, d));
            }
        }
    }

    private static void forwardBlock(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                     MemorySegment lse, MemorySegment s, Heads hs, int pair, int i0, int rows,
                                     float scale, boolean causal) {
        int tq = hs.tq();
        int tk = hs.tk();
        int d = hs.d();
        long qo = hs.q(pair) + (long) i0 * hs.ldq();
        long oo = hs.o(pair) + (long) i0 * hs.ldo();
        long lo = (long) pair * tq + i0;
        int kv = visible(i0 + rows - 1, tq, tk, causal);   // keys any row of the block sees
        if (kv == 0) {
            fillRows(out, oo, rows, hs.ldo(), d);
            for (int r = 0; r < rows; r++) {
                set(lse, lo + r, Float.NEGATIVE_INFINITY);
            }
            return;
        }
        // S (rows × kv, row stride tk) = scale · Q_blk · K[:kv]ᵀ
        CpuGemm.gemmSerial(GemmSpec.strided(false, true, rows, kv, d, scale, 0f, hs.ldq(), hs.ldk(), tk),
                q.asSlice(qo * 4), k.asSlice(hs.k(pair) * 4), s);
        softmaxRows(s, lse, lo, i0, rows, kv, tq, tk, causal);
        // O_blk = P · V[:kv]
        CpuGemm.gemmSerial(GemmSpec.strided(false, false, rows, d, kv, 1f, 0f, tk, hs.ldv(), hs.ldo()),
                s, v.asSlice(hs.v(pair) * 4), out.asSlice(oo * 4));
    }

    /**
     * Row softmax of the block's scores in place, masked entries 0, each row's log-sum-exp into lse. Its own method
     * and out of forwardBlock's inlining: there, behind the GEMMs, C2 ran out of budget and boxed the exp's vectors
     * (13 MB of garbage per ViT-S/16 step).
     */
    private static void softmaxRows(MemorySegment s, MemorySegment lse, long lo, int i0, int rows, int kv, int tq,
                                    int tk, boolean causal) {
        for (int r = 0; r < rows; r++) {
            int vis = visible(i0 + r, tq, tk, causal);
            long so = (long) r * tk;
            float l = Float.NEGATIVE_INFINITY;
            if (vis > 0) {
                float max = CpuReduce.reduceRow(org.wegeft.kernels.ReduceOp.MAX, s, so, vis);
                float sum = CpuReduce.expShiftRow(s, s, so, vis, max);
                CpuReduce.scaleRow(s, so, vis, 1f / sum);
                l = max + (float) StrictMath.log(sum);
            }
            for (long j = vis; j < kv; j++) {
                set(s, so + j, 0f);
            }
            set(lse, lo + r, l);
        }
    }

    /**
     * One row of the backward: P = exp(S − lse) and dS = P ⊙ (dP − D) over the visible keys, 0 up to kv. One exp
     * call site with the tail as a masked last step, in a method of its own: inside backwardBlock, C2 runs out of
     * inlining budget and boxes the vectors (measured 38 MB of garbage per ViT-S/16 layer).
     */
    private static void probsAndScores(MemorySegment p, MemorySegment ds, long so, int vis, int kv, float lse,
                                       float dd) {
        FloatVector lv = FloatVector.broadcast(F, lse);
        FloatVector dv2 = FloatVector.broadcast(F, dd);
        for (long j = 0; j < vis; j += L) {
            VectorMask<Float> m = F.indexInRange(j, vis);
            long at = (so + j) * 4;
            FloatVector pv = CpuVec.exp(FloatVector.fromMemorySegment(F, p, at, CpuVec.ORDER, m).sub(lv));
            pv.intoMemorySegment(p, at, CpuVec.ORDER, m);
            pv.mul(FloatVector.fromMemorySegment(F, ds, at, CpuVec.ORDER, m).sub(dv2))
                    .intoMemorySegment(ds, at, CpuVec.ORDER, m);
        }
        for (long j = vis; j < kv; j++) {
            set(p, so + j, 0f);
            set(ds, so + j, 0f);
        }
    }

    static void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
        attentionBackward(q, d, k, d, v, d, out, d, lse, dout, dq, dk, dv, bh, 1, tq, tk, d, scale, causal);
    }

    /** Token-major backward: dout laid out like out, dq like q, dk like k, dv like v. */
    static void attentionBackward(MemorySegment q, int ldq, MemorySegment k, int ldk, MemorySegment v, int ldv,
                                  MemorySegment out, int ldo, MemorySegment lse, MemorySegment dout, MemorySegment dq,
                                  MemorySegment dk, MemorySegment dv, int batch, int heads, int tq, int tk, int d,
                                  float scale, boolean causal) {
        Heads hs = new Heads(ldq, ldk, ldv, ldo, heads, tq, tk, d);
        Parallel.forRange(batch * heads, 1, (h0, h1) -> {
            int qbs = qb(causal);
            MemorySegment s = CpuVec.scratch(2L * qbs * tk);
            MemorySegment p = s.asSlice(0, (long) qbs * tk * 4);
            MemorySegment ds = s.asSlice((long) qbs * tk * 4, (long) qbs * tk * 4);
            for (int h = h0; h < h1; h++) {
                fillRows(dk, hs.k(h), tk, ldk, d);
                fillRows(dv, hs.v(h), tk, ldv, d);
                for (int i0 = 0; i0 < tq; i0 += qbs) {
                    backwardBlock(q, k, v, out, lse, dout, dq, dk, dv, p, ds, hs, h, i0, Math.min(qbs, tq - i0),
                            scale, causal);
                }
            }
        });
    }

    private static void backwardBlock(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                      MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                      MemorySegment dv, MemorySegment p, MemorySegment ds, Heads hs, int pair,
                                      int i0, int rows, float scale, boolean causal) {
        int tq = hs.tq();
        int tk = hs.tk();
        int d = hs.d();
        int ldq = hs.ldq();
        int ldo = hs.ldo();
        long qo = hs.q(pair) + (long) i0 * ldq;
        long oo = hs.o(pair) + (long) i0 * ldo;
        int kv = visible(i0 + rows - 1, tq, tk, causal);
        MemorySegment qBlk = q.asSlice(qo * 4);
        MemorySegment doBlk = dout.asSlice(oo * 4);
        if (kv == 0) {
            fillRows(dq, qo, rows, ldq, d);
            return;
        }
        MemorySegment kh = k.asSlice(hs.k(pair) * 4);
        // P = exp(scale · Q Kᵀ − lse), masked entries 0
        CpuGemm.gemmSerial(GemmSpec.strided(false, true, rows, kv, d, scale, 0f, ldq, hs.ldk(), tk), qBlk,
                kh, p);
        // dP = dO · Vᵀ
        CpuGemm.gemmSerial(GemmSpec.strided(false, true, rows, kv, d, 1f, 0f, ldo, hs.ldv(), tk),
                doBlk, v.asSlice(hs.v(pair) * 4), ds);
        for (int r = 0; r < rows; r++) {
            int vis = visible(i0 + r, tq, tk, causal);
            long so = (long) r * tk;
            float l = get(lse, (long) pair * tq + i0 + r);
            long ro = oo + (long) r * ldo;
            float dd = CpuReduce.dot(dout, ro, out, ro, d);
            probsAndScores(p, ds, so, vis, kv, l, dd);
        }
        // dV[:kv] += Pᵀ dO ; dK[:kv] += scale · dSᵀ Q ; dQ = scale · dS K[:kv]
        CpuGemm.gemmSerial(GemmSpec.strided(true, false, kv, d, rows, 1f, 1f, tk, ldo, hs.ldv()),
                p, doBlk, dv.asSlice(hs.v(pair) * 4));
        CpuGemm.gemmSerial(GemmSpec.strided(true, false, kv, d, rows, scale, 1f, tk, ldq, hs.ldk()),
                ds, qBlk, dk.asSlice(hs.k(pair) * 4));
        CpuGemm.gemmSerial(GemmSpec.strided(false, false, rows, d, kv, scale, 0f, tk, hs.ldk(), ldq),
                ds, kh, dq.asSlice(qo * 4));
    }
}
