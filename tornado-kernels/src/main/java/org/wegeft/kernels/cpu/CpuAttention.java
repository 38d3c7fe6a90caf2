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
 *   forward, per (head, block of QB query rows):
 *     S = scale · Q_blk Kᵀ          (QB × tk)   masked causally, row softmax → P, lse per row
 *     O_blk = P V                   (QB × d)
 *   backward, per head (query blocks in order, dK and dV accumulated):
 *     P  = exp(scale · Q Kᵀ − lse)  (masked → 0)
 *     dV += Pᵀ dO      dP = dO Vᵀ      D = rowsum(dO ⊙ O)
 *     dS = P ⊙ (dP − D)
 *     dQ = scale · dS K               dK += scale · dSᵀ Q
 * </pre>
 * Scratch is a per-thread float array reused across calls.
 */
final class CpuAttention {
    /** Query rows per block. */
    private static final int QB = 64;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private CpuAttention() {
    }

    private static MemorySegment scratch(long floats) {
        float[] s = SCRATCH.get();
        if (s.length < floats) {
            s = new float[Math.toIntExact(floats)];
            SCRATCH.set(s);
        }
        return MemorySegment.ofArray(s);
    }

    /** Keys visible to query row i (0-based within the head). */
    private static int visible(int i, int tq, int tk, boolean causal) {
        return causal ? Math.clamp((long) i + tk - tq + 1, 0, tk) : tk;
    }

    // q: (bh, tq, d); k, v: (bh, tk, d); out: (bh, tq, d); lse: (bh, tq)
    static void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        int qBlocks = Math.ceilDiv(tq, QB);
        Parallel.forRange(bh * qBlocks, 1, (t0, t1) -> {
            MemorySegment s = scratch((long) QB * tk);
            for (int t = t0; t < t1; t++) {
                int h = t / qBlocks;
                int i0 = (t % qBlocks) * QB;
                int rows = Math.min(QB, tq - i0);
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
        CpuGemm.gemm(new GemmSpec(false, true, rows, kv, d, scale, 0f, d, d, tk, 1, 0, 0, 0),
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
        CpuGemm.gemm(new GemmSpec(false, false, rows, d, kv, 1f, 0f, tk, d, d, 1, 0, 0, 0),
                s, v.asSlice(ko * 4), out.asSlice(qo * 4));
    }

    static void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
        Parallel.forRange(bh, 1, (h0, h1) -> {
            MemorySegment s = scratch(2L * QB * tk);
            MemorySegment p = s.asSlice(0, (long) QB * tk * 4);
            MemorySegment ds = s.asSlice((long) QB * tk * 4, (long) QB * tk * 4);
            for (int h = h0; h < h1; h++) {
                long ko = (long) h * tk * d;
                CpuElementwise.fill(dk.asSlice(ko * 4, (long) tk * d * 4), (long) tk * d, 0f);
                CpuElementwise.fill(dv.asSlice(ko * 4, (long) tk * d * 4), (long) tk * d, 0f);
                for (int i0 = 0; i0 < tq; i0 += QB) {
                    backwardBlock(q, k, v, out, lse, dout, dq, dk, dv, p, ds, h, i0, Math.min(QB, tq - i0),
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
        CpuGemm.gemm(new GemmSpec(false, true, rows, kv, d, scale, 0f, d, d, tk, 1, 0, 0, 0), qBlk, kh, p);
        // dP = dO · Vᵀ
        CpuGemm.gemm(new GemmSpec(false, true, rows, kv, d, 1f, 0f, d, d, tk, 1, 0, 0, 0),
                doBlk, v.asSlice(ko * 4), ds);
        for (int r = 0; r < rows; r++) {
            int vis = visible(i0 + r, tq, tk, causal);
            long so = (long) r * tk;
            float l = get(lse, (long) h * tq + i0 + r);
            float dd = CpuReduce.dot(dout, qo + (long) r * d, out, qo + (long) r * d, d);
            FloatVector lv = FloatVector.broadcast(F, l);
            FloatVector dv2 = FloatVector.broadcast(F, dd);
            long vb = F.loopBound(vis);
            long j = 0;
            for (; j < vb; j += L) {
                FloatVector pv = CpuVec.exp(ld(p, so + j).sub(lv));
                st(p, so + j, pv);
                st(ds, so + j, pv.mul(ld(ds, so + j).sub(dv2)));
            }
            if (j < vis) {   // the tail as one masked vector step: the same exp as every other element
                VectorMask<Float> m = CpuVec.tail(j, vis);
                FloatVector pv = CpuVec.exp(ld(p, so + j, m).sub(lv));
                st(p, so + j, pv, m);
                st(ds, so + j, pv.mul(ld(ds, so + j, m).sub(dv2)), m);
            }
            for (j = vis; j < kv; j++) {
                set(p, so + j, 0f);
                set(ds, so + j, 0f);
            }
        }
        // dV[:kv] += Pᵀ dO ; dK[:kv] += scale · dSᵀ Q ; dQ = scale · dS K[:kv]
        CpuGemm.gemm(new GemmSpec(true, false, kv, d, rows, 1f, 1f, tk, d, d, 1, 0, 0, 0),
                p, doBlk, dv.asSlice(ko * 4));
        CpuGemm.gemm(new GemmSpec(true, false, kv, d, rows, scale, 1f, tk, d, d, 1, 0, 0, 0),
                ds, qBlk, dk.asSlice(ko * 4));
        CpuGemm.gemm(new GemmSpec(false, false, rows, d, kv, scale, 0f, tk, d, d, 1, 0, 0, 0),
                ds, kh, dqBlk);
    }
}
