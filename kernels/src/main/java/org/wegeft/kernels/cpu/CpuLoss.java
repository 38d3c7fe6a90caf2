package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;
import static org.wegeft.kernels.cpu.CpuVec.get;
import static org.wegeft.kernels.cpu.CpuVec.geti;
import static org.wegeft.kernels.cpu.CpuVec.ld;
import static org.wegeft.kernels.cpu.CpuVec.set;
import static org.wegeft.kernels.cpu.CpuVec.st;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import org.wegeft.kernels.Parallel;
import org.wegeft.kernels.ReduceOp;

/** Embedding lookup, its scatter-add backward, and fused softmax cross-entropy. */
final class CpuLoss {
    private static final int GRAIN = 1 << 14;

    private CpuLoss() {
    }

    private static void checkIds(String kernel, MemorySegment ids, int n, int vocab) {
        for (int i = 0; i < n; i++) {
            int id = geti(ids, i);
            if (id < 0 || id >= vocab) {
                throw new IndexOutOfBoundsException(kernel + ": id " + id + " at position " + i
                        + " is outside [0, " + vocab + ")");
            }
        }
    }

    // ids: (n) int32; table: (vocab, dim); out: (n, dim)
    static void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        checkIds("embedding", ids, n, vocab);
        Parallel.forRange(n, Math.max(1, GRAIN / Math.max(1, dim)), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                MemorySegment.copy(table, (long) geti(ids, i) * dim * 4, out, (long) i * dim * 4, (long) dim * 4);
            }
        });
    }

    // dtable[ids[i], :] += dout[i, :]; parallel over column chunks, so race-free and order-fixed
    static void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        checkIds("embeddingBackward", ids, n, vocab);
        CpuVec.columnChunks(dim, n, (c0, c1, vb) -> {
            for (int i = 0; i < n; i++) {
                long src = (long) i * dim;
                long dst = (long) geti(ids, i) * dim;
                long c = c0;
                for (; c < vb; c += L) {
                    st(dtable, dst + c, ld(dtable, dst + c).add(ld(dout, src + c)));
                }
                for (; c < c1; c++) {
                    set(dtable, dst + c, get(dtable, dst + c) + get(dout, src + c));
                }
            }
        });
    }

    // logits, dlogits: (rows, classes); targets: (rows) int32; losses: (rows)
    static int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses,
                            MemorySegment dlogits, int rows, int classes, int ignoreIndex, float labelSmoothing) {
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            int t = geti(targets, r);
            if (t == ignoreIndex) {
                continue;
            }
            if (t < 0 || t >= classes) {
                throw new IndexOutOfBoundsException("crossEntropy: target " + t + " at row " + r
                        + " is outside [0, " + classes + ") and is not the ignore index " + ignoreIndex);
            }
            counted++;
        }
        boolean grad = !dlogits.equals(MemorySegment.NULL);
        float eps = labelSmoothing;
        float off = eps / classes;
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, classes)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long o = (long) r * classes;
                int t = geti(targets, r);
                if (t == ignoreIndex) {
                    set(losses, r, 0f);
                    if (grad) {
                        CpuElementwise.fill(dlogits.asSlice(o * 4, (long) classes * 4), classes, 0f);
                    }
                    continue;
                }
                float max = CpuReduce.reduceRow(ReduceOp.MAX, logits, o, classes);
                float sum = grad ? CpuReduce.expShiftRow(logits, dlogits, o, classes, max)
                        : sumExp(logits, o, classes, max);
                float lse = max + (float) StrictMath.log(sum);
                float xt = get(logits, o + t);
                float loss = lse - xt;
                if (eps != 0f) {
                    float mean = CpuReduce.reduceRow(ReduceOp.SUM, logits, o, classes) / classes;
                    loss = (1f - eps) * (lse - xt) + eps * (lse - mean);
                }
                set(losses, r, loss);
                if (grad) {
                    // dlogits = p − ε/C − (1−ε)·onehot(t)
                    float inv = 1f / sum;
                    FloatVector invv = FloatVector.broadcast(F, inv);
                    long vb = F.loopBound(classes);
                    long j = 0;
                    for (; j < vb; j += L) {
                        st(dlogits, o + j, ld(dlogits, o + j).mul(invv).sub(off));
                    }
                    for (; j < classes; j++) {
                        set(dlogits, o + j, get(dlogits, o + j) * inv - off);
                    }
                    set(dlogits, o + t, get(dlogits, o + t) - (1f - eps));
                }
            }
        });
        return counted;
    }

    private static float sumExp(MemorySegment x, long off, int n, float shift) {
        FloatVector m = FloatVector.broadcast(F, shift);
        FloatVector acc = FloatVector.zero(F);
        long vb = F.loopBound(n);
        long j = 0;
        for (; j < vb; j += L) {
            acc = acc.add(CpuVec.exp(ld(x, off + j).sub(m)));
        }
        if (j < n) {
            var mask = CpuVec.tail(off + j, off + n);
            acc = acc.add(CpuVec.exp(ld(x, off + j, mask).sub(m)), mask);
        }
        return CpuVec.sum(acc);
    }
}
