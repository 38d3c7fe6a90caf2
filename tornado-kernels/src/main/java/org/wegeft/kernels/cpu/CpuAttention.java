package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;
import static org.wegeft.kernels.cpu.CpuVec.get;
import static org.wegeft.kernels.cpu.CpuVec.ld;
import static org.wegeft.kernels.cpu.CpuVec.set;
import static org.wegeft.kernels.cpu.CpuVec.st;

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
        int qbs = qb(causal);
        int qBlocks = Math.ceilDiv(tq, qbs);
        Parallel.forRange(bh * qBlocks, 1, (t0, t1) -> {
            MemorySegment s = CpuVec.scratch((long) qbs * tk);
            for (int t = t0; t < t1; t++) {
                int h = t / qBlocks;
                int i0 = (t % qBlocks) * qbs;
                int rows = Math.min(qbs, tq - i0);
                forwardBlock(q, k, v, out, lse, s, h, i0, rows, tq, tk, d, scale, causal);
            }
        });
    }

    private static void forwardBlock(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                     MemorySegment lse, MemorySegment s, int h, int i0, int rows, int tq, int tk,
                                     int d, float scale, boolean causal) {
        long qo = ((long) h * tq + i0) * d;
        long ko = (long) h * tk * d;
        int kv = visible(i0 + rows - 1, tq, tk, causal);   // keys any row of the block sees
        if (kv == 0) {
            CpuElementwise.fill(out.asSlice(qo * 4, (long) rows * d * 4), (long) rows * d, 0f);
            for (int r = 0; r < rows; r++) {
                set(lse, (long) h * tq + i0 + r, Float.NEGATIVE_INFINITY);
            }
            return;
        }
        // S (rows × kv, row stride tk) = scale · Q_blk · K[:kv]ᵀ
        CpuGemm.gemmSerial(new GemmSpec(false, true, rows, kv, d, scale, 0f, d, d, tk, 1, 0, 0, 0),
                q.asSlice(qo * 4), k.asSlice(ko * 4), s);
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
            set(lse, (long) h * tq + i0 + r, l);
        }
        // O_blk = P · V[:kv]
        CpuGemm.gemmSerial(new GemmSpec(false, false, rows, d, kv, 1f, 0f, tk, d, d, 1, 0, 0, 0),
                s, v.asSlice(ko * 4), out.asSlice(qo * 4));
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
        Parallel.forRange(bh, 1, (h0, h1) -> {
            int qbs = qb(causal);
            MemorySegment s = CpuVec.scratch(2L * qbs * tk);
            MemorySegment p = s.asSlice(0, (long) qbs * tk * 4);
            MemorySegment ds = s.asSlice((long) qbs * tk * 4, (long) qbs * tk * 4);
            for (int h = h0; h < h1; h++) {
                long ko = (long) h * tk * d;
                CpuElementwise.fill(dk.asSlice(ko * 4, (long) tk * d * 4), (long) tk * d, 0f);
                CpuElementwise.fill(dv.asSlice(ko * 4, (long) tk * d * 4), (long) tk * d, 0f);
                for (int i0 = 0; i0 < tq; i0 += qbs) {
                    backwardBlock(q, k, v, out, lse, dout, dq, dk, dv, p, ds, h, i0, Math.min(qbs, tq - i0),
                            tq, tk, d, scale, causal);
                }
            }
        });
    }

    private static void backwardBlock(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                      MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                      MemorySegment dv, MemorySegment p, MemorySegment ds, int h, int i0, int rows,
                                      int tq, int tk, int d, float scale, boolean causal) {
        long qo = ((long) h * tq + i0) * d;
        long ko = (long) h * tk * d;
        int kv = visible(i0 + rows - 1, tq, tk, causal);
        MemorySegment qBlk = q.asSlice(qo * 4);
        MemorySegment doBlk = dout.asSlice(qo * 4);
        MemorySegment dqBlk = dq.asSlice(qo * 4);
        if (kv == 0) {
            CpuElementwise.fill(dqBlk, (long) rows * d, 0f);
            return;
        }
        MemorySegment kh = k.asSlice(ko * 4);
        // P = exp(scale · Q Kᵀ − lse), masked entries 0
        CpuGemm.gemmSerial(new GemmSpec(false, true, rows, kv, d, scale, 0f, d, d, tk, 1, 0, 0, 0), qBlk, kh, p);
        // dP = dO · Vᵀ
        CpuGemm.gemmSerial(new GemmSpec(false, true, rows, kv, d, 1f, 0f, d, d, tk, 1, 0, 0, 0),
                doBlk, v.asSlice(ko * 4), ds);
        for (int r = 0; r < rows; r++) {
            int vis = visible(i0 + r, tq, tk, causal);
            long so = (long) r * tk;
            float l = get(lse, (long) h * tq + i0 + r);
            float dd = CpuReduce.dot(dout, qo + (long) r * d, out, qo + (long) r * d, d);
            probsAndScores(p, ds, so, vis, kv, l, dd);
        }
        // dV[:kv] += Pᵀ dO ; dK[:kv] += scale · dSᵀ Q ; dQ = scale · dS K[:kv]
        CpuGemm.gemmSerial(new GemmSpec(true, false, kv, d, rows, 1f, 1f, tk, d, d, 1, 0, 0, 0),
                p, doBlk, dv.asSlice(ko * 4));
        CpuGemm.gemmSerial(new GemmSpec(true, false, kv, d, rows, scale, 1f, tk, d, d, 1, 0, 0, 0),
                ds, qBlk, dk.asSlice(ko * 4));
        CpuGemm.gemmSerial(new GemmSpec(false, false, rows, d, kv, scale, 0f, tk, d, d, 1, 0, 0, 0),
                ds, kh, dqBlk);
    }
}
