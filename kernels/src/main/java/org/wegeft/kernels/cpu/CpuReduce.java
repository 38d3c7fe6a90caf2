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
import jdk.incubator.vector.VectorOperators;
import org.wegeft.kernels.Parallel;
import org.wegeft.kernels.ReduceOp;

/** Axis reductions and row softmax (with causal mask) forward and backward. */
final class CpuReduce {
    private static final int GRAIN = 1 << 14;

    private CpuReduce() {
    }

    // ------------------------------------------------------------------ reduce

    /** x: (outer, dim, inner) → out: (outer, inner). */
    static void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        if (outer == 0 || inner == 0) {
            return;
        }
        float empty = switch (op) {
            case SUM -> 0f;
            case MEAN -> Float.NaN; // 0 / 0, as torch
            case MAX -> Float.NEGATIVE_INFINITY;
            case MIN -> Float.POSITIVE_INFINITY;
        };
        if (dim == 0) {
            CpuElementwise.fill(out, (long) outer * inner, empty);
            return;
        }
        if (inner == 1) {
            if (outer == 1 && dim > 4 * CpuVec.BLOCK) {
                set(out, 0, reduceLong(op, x, dim));
                return;
            }
            Parallel.forRange(outer, Math.max(1, GRAIN / dim), (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    float r = reduceRow(op, x, (long) o * dim, dim);
                    set(out, o, op == ReduceOp.MEAN ? r / dim : r);
                }
            });
            return;
        }
        // vectorise over the inner axis; tasks are (outer × inner-chunk) tiles
        int chunk = Math.max(L, Math.min(inner, 1024));
        int chunks = Math.ceilDiv(inner, chunk);
        int tiles = outer * chunks;
        Parallel.forRange(tiles, Math.max(1, GRAIN / (chunk * dim)), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int o = t / chunks;
                int i0 = (t % chunks) * chunk;
                int i1 = Math.min(inner, i0 + chunk);
                reduceColumns(op, x, out, (long) o * dim * inner, (long) o * inner, dim, inner, i0, i1);
            }
        });
    }

    /** Sum/max/min of x[off, off + len), vector accumulators then lanes in fixed order. */
    static float reduceRow(ReduceOp op, MemorySegment x, long off, int len) {
        long vb = F.loopBound(len);
        long j = 0;
        float r;
        switch (op) {
            case SUM, MEAN -> {
                FloatVector acc = FloatVector.zero(F);
                for (; j < vb; j += L) {
                    acc = acc.add(ld(x, off + j));
                }
                r = CpuVec.sum(acc);
                for (; j < len; j++) {
                    r += get(x, off + j);
                }
            }
            case MAX -> {
                FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                for (; j < vb; j += L) {
                    acc = acc.max(ld(x, off + j));
                }
                r = acc.reduceLanes(VectorOperators.MAX);
                for (; j < len; j++) {
                    r = Math.max(r, get(x, off + j));
                }
            }
            case MIN -> {
                FloatVector acc = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
                for (; j < vb; j += L) {
                    acc = acc.min(ld(x, off + j));
                }
                r = acc.reduceLanes(VectorOperators.MIN);
                for (; j < len; j++) {
                    r = Math.min(r, get(x, off + j));
                }
            }
            default -> throw new AssertionError(op);
        }
        return r;
    }

    /** One long row: fixed blocks reduced in parallel, partials combined in block order. */
    private static float reduceLong(ReduceOp op, MemorySegment x, int dim) {
        int nb = Math.ceilDiv(dim, CpuVec.BLOCK);
        float[] partial = new float[nb];
        Parallel.forRange(nb, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                long from = (long) b * CpuVec.BLOCK;
                partial[b] = reduceRow(op, x, from, (int) Math.min(CpuVec.BLOCK, dim - from));
            }
        });
        float r = partial[0];
        for (int b = 1; b < nb; b++) {
            r = switch (op) {
                case SUM, MEAN -> r + partial[b];
                case MAX -> Math.max(r, partial[b]);
                case MIN -> Math.min(r, partial[b]);
            };
        }
        return op == ReduceOp.MEAN ? r / dim : r;
    }

    private static void reduceColumns(ReduceOp op, MemorySegment x, MemorySegment out, long xo, long oo,
                                      int dim, int inner, int i0, int i1) {
        long vb = i0 + F.loopBound(i1 - i0);
        long i = i0;
        for (; i < vb; i += L) {
            FloatVector acc = ld(x, xo + i);
            for (int d = 1; d < dim; d++) {
                FloatVector v = ld(x, xo + (long) d * inner + i);
                acc = switch (op) {
                    case SUM, MEAN -> acc.add(v);
                    case MAX -> acc.max(v);
                    case MIN -> acc.min(v);
                };
            }
            st(out, oo + i, op == ReduceOp.MEAN ? acc.div(dim) : acc);
        }
        for (; i < i1; i++) {
            float acc = get(x, xo + i);
            for (int d = 1; d < dim; d++) {
                float v = get(x, xo + (long) d * inner + i);
                acc = switch (op) {
                    case SUM, MEAN -> acc + v;
                    case MAX -> Math.max(acc, v);
                    case MIN -> Math.min(acc, v);
                };
            }
            set(out, oo + i, op == ReduceOp.MEAN ? acc / dim : acc);
        }
    }

    // ------------------------------------------------------------------ softmax

    static void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int valid = causal ? Math.clamp((long) r % tq + (cols - tq) + 1, 0, cols) : cols;
                long off = (long) r * cols;
                softmaxRow(x, y, off, valid);
                for (long j = valid; j < cols; j++) {
                    set(y, off + j, 0f);
                }
            }
        });
    }

    /** y[off, off+n) = softmax(x[off, off+n)); n may be 0. */
    static void softmaxRow(MemorySegment x, MemorySegment y, long off, int n) {
        if (n == 0) {
            return;
        }
        float max = reduceRow(ReduceOp.MAX, x, off, n);
        float sum = expShiftRow(x, y, off, n, max);
        float inv = 1f / sum;
        scaleRow(y, off, n, inv);
    }

    /** y = exp(x − shift) over [off, off+n), returns Σ y (vector lanes then tail, fixed order). */
    static float expShiftRow(MemorySegment x, MemorySegment y, long off, int n, float shift) {
        // one exp call site, the tail as a masked last step: with a second exp for the tail, the method outgrows
        // C2's inlining budget and the vectors are boxed (measured: 1.7 KB of garbage per row of 197)
        FloatVector m = FloatVector.broadcast(F, shift);
        FloatVector acc = FloatVector.zero(F);
        for (long j = 0; j < n; j += L) {
            VectorMask<Float> mask = F.indexInRange(j, n);
            FloatVector e = CpuVec.exp(FloatVector.fromMemorySegment(F, x, (off + j) * 4, CpuVec.ORDER, mask).sub(m));
            e.intoMemorySegment(y, (off + j) * 4, CpuVec.ORDER, mask);
            acc = acc.add(e, mask);
        }
        // CpuVec.sum's steps written out here: a call taking the vector, when C2 does not inline it (a callee it has
        // already compiled to more than InlineSmallCode bytes), boxes the vector once a row (0.9 MB per ViT-S/16
        // attention forward); the same operations in the same order, so the same bits
        if (L == 16) {
            acc = acc.add(acc.rearrange(CpuVec.ROT8));
            acc = acc.add(acc.rearrange(CpuVec.ROT4));
            acc = acc.add(acc.rearrange(CpuVec.ROT2));
            acc = acc.add(acc.rearrange(CpuVec.ROT1));
            return acc.lane(0);
        }
        return CpuVec.sum(acc);
    }

    static void scaleRow(MemorySegment y, long off, int n, float s) {
        long vb = F.loopBound(n);
        long j = 0;
        for (; j < vb; j += L) {
            st(y, off + j, ld(y, off + j).mul(s));
        }
        for (; j < n; j++) {
            set(y, off + j, get(y, off + j) * s);
        }
    }

    /** Σ a[ao + j]·b[bo + j] for j in [0, n). */
    static float dot(MemorySegment a, long ao, MemorySegment b, long bo, int n) {
        FloatVector acc = FloatVector.zero(F);
        long vb = F.loopBound(n);
        long j = 0;
        for (; j < vb; j += L) {
            acc = ld(a, ao + j).fma(ld(b, bo + j), acc);
        }
        float s = CpuVec.sum(acc);
        for (; j < n; j++) {
            s = Math.fma(get(a, ao + j), get(b, bo + j), s);
        }
        return s;
    }

    static void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, cols)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = (long) r * cols;
                float s = dot(dy, off, y, off, cols);
                FloatVector sv = FloatVector.broadcast(F, s);
                long vb = F.loopBound(cols);
                long j = 0;
                for (; j < vb; j += L) {
                    st(dx, off + j, ld(y, off + j).mul(ld(dy, off + j).sub(sv)));
                }
                for (; j < cols; j++) {
                    set(dx, off + j, get(y, off + j) * (get(dy, off + j) - s));
                }
            }
        });
    }
}
