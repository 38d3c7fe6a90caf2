package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;
import static org.wegeft.kernels.cpu.CpuVec.get;
import static org.wegeft.kernels.cpu.CpuVec.ld;
import static org.wegeft.kernels.cpu.CpuVec.set;
import static org.wegeft.kernels.cpu.CpuVec.st;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import org.wegeft.kernels.Parallel;

/**
 * LayerNorm and RMSNorm, forward and backward, parallel over rows. Parameter gradients are computed in a
 * second parallel pass over column chunks, each summing its columns over all rows in row order, so they
 * are bit-identical whatever the thread count or timing.
 */
final class CpuNorms {
    private static final int GRAIN = 1 << 14;

    private CpuNorms() {
    }

    private static int rowGrain(int cols) {
        return Math.max(1, GRAIN / Math.max(1, cols));
    }

    // ------------------------------------------------------------------ LayerNorm

    // x, y: (rows, cols); gamma, beta: (cols); mean, rstd: (rows)
    static void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        boolean hasG = !gamma.equals(MemorySegment.NULL);
        boolean hasB = !beta.equals(MemorySegment.NULL);
        Parallel.forRange(rows, rowGrain(cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = (long) r * cols;
                float mu = CpuReduce.reduceRow(org.wegeft.kernels.ReduceOp.SUM, x, off, cols) / cols;
                float var = centeredSquares(x, off, cols, mu) / cols;
                float rs = (float) (1.0 / Math.sqrt(var + eps));
                set(mean, r, mu);
                set(rstd, r, rs);
                FloatVector m = FloatVector.broadcast(F, mu);
                long vb = F.loopBound(cols);
                long j = 0;
                for (; j < vb; j += L) {
                    FloatVector v = ld(x, off + j).sub(m).mul(rs);
                    if (hasG) {
                        v = v.mul(ld(gamma, j));
                    }
                    if (hasB) {
                        v = v.add(ld(beta, j));
                    }
                    st(y, off + j, v);
                }
                for (; j < cols; j++) {
                    float v = (get(x, off + j) - mu) * rs;
                    if (hasG) {
                        v *= get(gamma, j);
                    }
                    if (hasB) {
                        v += get(beta, j);
                    }
                    set(y, off + j, v);
                }
            }
        });
    }

    private static float centeredSquares(MemorySegment x, long off, int n, float mu) {
        FloatVector m = FloatVector.broadcast(F, mu);
        FloatVector acc = FloatVector.zero(F);
        long vb = F.loopBound(n);
        long j = 0;
        for (; j < vb; j += L) {
            FloatVector d = ld(x, off + j).sub(m);
            acc = d.fma(d, acc);
        }
        float s = CpuVec.sum(acc);
        for (; j < n; j++) {
            float d = get(x, off + j) - mu;
            s = Math.fma(d, d, s);
        }
        return s;
    }

    static void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        boolean hasG = !gamma.equals(MemorySegment.NULL);
        Parallel.forRange(rows, rowGrain(cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = (long) r * cols;
                float mu = get(mean, r);
                float rs = get(rstd, r);
                FloatVector m = FloatVector.broadcast(F, mu);
                // a = Σ dxhat, b = Σ dxhat·xhat with dxhat = dy·gamma, xhat = (x − mean)·rstd
                FloatVector av = FloatVector.zero(F);
                FloatVector bv = FloatVector.zero(F);
                long vb = F.loopBound(cols);
                long j = 0;
                for (; j < vb; j += L) {
                    FloatVector g = hasG ? ld(dy, off + j).mul(ld(gamma, j)) : ld(dy, off + j);
                    FloatVector xh = ld(x, off + j).sub(m).mul(rs);
                    av = av.add(g);
                    bv = g.fma(xh, bv);
                }
                float a = CpuVec.sum(av);
                float b = CpuVec.sum(bv);
                for (long t = j; t < cols; t++) {
                    float g = hasG ? get(dy, off + t) * get(gamma, t) : get(dy, off + t);
                    a += g;
                    b = Math.fma(g, (get(x, off + t) - mu) * rs, b);
                }
                float ma = a / cols;
                float mb = b / cols;
                FloatVector mav = FloatVector.broadcast(F, ma);
                j = 0;
                for (; j < vb; j += L) {
                    FloatVector g = hasG ? ld(dy, off + j).mul(ld(gamma, j)) : ld(dy, off + j);
                    FloatVector xh = ld(x, off + j).sub(m).mul(rs);
                    st(dx, off + j, g.sub(mav).sub(xh.mul(mb)).mul(rs));
                }
                for (; j < cols; j++) {
                    float g = hasG ? get(dy, off + j) * get(gamma, j) : get(dy, off + j);
                    float xh = (get(x, off + j) - mu) * rs;
                    set(dx, off + j, (g - ma - xh * mb) * rs);
                }
            }
        });
        paramGrads(x, mean, rstd, dy, dgamma, dbeta, rows, cols);
    }

    /**
     * dgamma[c] += Σ_r dy[r,c]·xhat[r,c], dbeta[c] += Σ_r dy[r,c], with xhat = (x − mean)·rstd
     * (mean NULL: RMSNorm, xhat = x·rstd). Parallel over column chunks, rows summed in order.
     */
    private static void paramGrads(MemorySegment x, MemorySegment mean, MemorySegment rstd, MemorySegment dy,
                                   MemorySegment dgamma, MemorySegment dbeta, int rows, int cols) {
        boolean hasDg = !dgamma.equals(MemorySegment.NULL);
        boolean hasDb = !dbeta.equals(MemorySegment.NULL);
        boolean hasMean = !mean.equals(MemorySegment.NULL);
        if (!hasDg && !hasDb) {
            return;
        }
        CpuVec.columnChunks(cols, rows, (c0, c1, vb) -> {
            for (int r = 0; r < rows; r++) {
                long off = (long) r * cols;
                float mu = hasMean ? get(mean, r) : 0f;
                float rs = get(rstd, r);
                FloatVector m = FloatVector.broadcast(F, mu);
                long c = c0;
                for (; c < vb; c += L) {
                    FloatVector g = ld(dy, off + c);
                    if (hasDg) {
                        FloatVector xh = ld(x, off + c).sub(m).mul(rs);
                        st(dgamma, c, g.fma(xh, ld(dgamma, c)));
                    }
                    if (hasDb) {
                        st(dbeta, c, ld(dbeta, c).add(g));
                    }
                }
                for (; c < c1; c++) {
                    float g = get(dy, off + c);
                    if (hasDg) {
                        set(dgamma, c, Math.fma(g, (get(x, off + c) - mu) * rs, get(dgamma, c)));
                    }
                    if (hasDb) {
                        set(dbeta, c, get(dbeta, c) + g);
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------ RMSNorm

    // x, y: (rows, cols); weight: (cols); rstd: (rows)
    static void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd,
                        int rows, int cols, float eps) {
        boolean hasW = !weight.equals(MemorySegment.NULL);
        Parallel.forRange(rows, rowGrain(cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = (long) r * cols;
                float ms = centeredSquares(x, off, cols, 0f) / cols;
                float rs = (float) (1.0 / Math.sqrt(ms + eps));
                set(rstd, r, rs);
                long vb = F.loopBound(cols);
                long j = 0;
                for (; j < vb; j += L) {
                    FloatVector v = ld(x, off + j).mul(rs);
                    st(y, off + j, hasW ? v.mul(ld(weight, j)) : v);
                }
                for (; j < cols; j++) {
                    float v = get(x, off + j) * rs;
                    set(y, off + j, hasW ? v * get(weight, j) : v);
                }
            }
        });
    }

    static void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        boolean hasW = !weight.equals(MemorySegment.NULL);
        Parallel.forRange(rows, rowGrain(cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long off = (long) r * cols;
                float rs = get(rstd, r);
                // b = Σ dxhat·xhat, dx = rstd·(dxhat − xhat·b/cols)
                FloatVector bv = FloatVector.zero(F);
                long vb = F.loopBound(cols);
                long j = 0;
                for (; j < vb; j += L) {
                    FloatVector g = hasW ? ld(dy, off + j).mul(ld(weight, j)) : ld(dy, off + j);
                    bv = g.fma(ld(x, off + j).mul(rs), bv);
                }
                float b = CpuVec.sum(bv);
                for (long t = j; t < cols; t++) {
                    float g = hasW ? get(dy, off + t) * get(weight, t) : get(dy, off + t);
                    b = Math.fma(g, get(x, off + t) * rs, b);
                }
                float mb = b / cols;
                j = 0;
                for (; j < vb; j += L) {
                    FloatVector g = hasW ? ld(dy, off + j).mul(ld(weight, j)) : ld(dy, off + j);
                    FloatVector xh = ld(x, off + j).mul(rs);
                    st(dx, off + j, g.sub(xh.mul(mb)).mul(rs));
                }
                for (; j < cols; j++) {
                    float g = hasW ? get(dy, off + j) * get(weight, j) : get(dy, off + j);
                    set(dx, off + j, (g - get(x, off + j) * rs * mb) * rs);
                }
            }
        });
        paramGrads(x, MemorySegment.NULL, rstd, dy, dweight, MemorySegment.NULL, rows, cols);
    }
}
