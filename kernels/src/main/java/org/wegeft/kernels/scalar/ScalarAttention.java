package org.wegeft.kernels.scalar;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** Reference scaled dot-product attention (forward, backward) and rotary embedding. */
final class ScalarAttention {

    private ScalarAttention() {
    }

    /** Whether key j is hidden from query i (causal: i sees j ≤ i + tk − tq). */
    private static boolean masked(boolean causal, int i, int j, int tq, int tk) {
        return causal && j > i + tk - tq;
    }

    static void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                          MemorySegment lse, int bh, int tq, int tk, int d, float scale, boolean causal) {
        // q, out: (bh, tq, d); k, v: (bh, tk, d); lse: (bh, tq)
        double[] s = new double[tk];
        for (int h = 0; h < bh; h++) {
            long qh = (long) h * tq * d;
            long kh = (long) h * tk * d;
            for (int i = 0; i < tq; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < tk; j++) {
                    if (!masked(causal, i, j, tq, tk)) {
                        s[j] = scale * dot(q, qh + (long) i * d, k, kh + (long) j * d, d);
                        max = Math.max(max, s[j]);
                    }
                }
                double sum = 0;
                for (int j = 0; j < tk; j++) {
                    if (!masked(causal, i, j, tq, tk)) {
                        sum += Math.exp(s[j] - max);
                    }
                }
                // a fully masked row has sum 0: lse = −inf and the output row is zero
                double rowLse = sum == 0 ? Double.NEGATIVE_INFINITY : max + Math.log(sum);
                for (int c = 0; c < d; c++) {
                    double acc = 0;
                    for (int j = 0; j < tk; j++) {
                        if (!masked(causal, i, j, tq, tk)) {
                            acc += Math.exp(s[j] - rowLse) * v.getAtIndex(JAVA_FLOAT, kh + (long) j * d + c);
                        }
                    }
                    out.setAtIndex(JAVA_FLOAT, qh + (long) i * d + c, (float) acc);
                }
                lse.setAtIndex(JAVA_FLOAT, (long) h * tq + i, (float) rowLse);
            }
        }
    }

    static void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment lse,
                                  MemorySegment dout, MemorySegment dq, MemorySegment dk, MemorySegment dv,
                                  int bh, int tq, int tk, int d, float scale, boolean causal) {
        double[] dqh = new double[tq * d];
        double[] dkh = new double[tk * d];
        double[] dvh = new double[tk * d];
        double[] p = new double[tk];
        double[] dp = new double[tk];
        for (int h = 0; h < bh; h++) {
            long qh = (long) h * tq * d;
            long kh = (long) h * tk * d;
            java.util.Arrays.fill(dqh, 0);
            java.util.Arrays.fill(dkh, 0);
            java.util.Arrays.fill(dvh, 0);
            for (int i = 0; i < tq; i++) {
                double rowLse = lse.getAtIndex(JAVA_FLOAT, (long) h * tq + i);
                // p_j = exp(s_j − lse); dp_j = dout_i · v_j; ds_j = p_j (dp_j − Σ_l p_l dp_l)
                double pdp = 0;
                for (int j = 0; j < tk; j++) {
                    if (masked(causal, i, j, tq, tk)) {
                        p[j] = 0;
                        dp[j] = 0;
                        continue;
                    }
                    double sj = scale * dot(q, qh + (long) i * d, k, kh + (long) j * d, d);
                    p[j] = Math.exp(sj - rowLse);
                    dp[j] = dot(dout, qh + (long) i * d, v, kh + (long) j * d, d);
                    pdp += p[j] * dp[j];
                }
                for (int j = 0; j < tk; j++) {
                    if (p[j] == 0) {
                        continue;
                    }
                    double ds = p[j] * (dp[j] - pdp) * scale;
                    for (int c = 0; c < d; c++) {
                        dqh[i * d + c] += ds * k.getAtIndex(JAVA_FLOAT, kh + (long) j * d + c);
                        dkh[j * d + c] += ds * q.getAtIndex(JAVA_FLOAT, qh + (long) i * d + c);
                        dvh[j * d + c] += p[j] * dout.getAtIndex(JAVA_FLOAT, qh + (long) i * d + c);
                    }
                }
            }
            store(dq, qh, dqh);
            store(dk, kh, dkh);
            store(dv, kh, dvh);
        }
    }

    static void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
                     boolean inverse) {
        if ((d & 1) != 0) {
            throw new IllegalArgumentException("rope: head dimension d must be even, got " + d);
        }
        int half = d / 2;
        // x, y: (n, t, d); cos, sin: (t, d/2)
        for (int b = 0; b < n; b++) {
            for (int pos = 0; pos < t; pos++) {
                long row = ((long) b * t + pos) * d;
                for (int i = 0; i < half; i++) {
                    double c = cos.getAtIndex(JAVA_FLOAT, (long) pos * half + i);
                    double s = sin.getAtIndex(JAVA_FLOAT, (long) pos * half + i);
                    if (inverse) {
                        s = -s;
                    }
                    double x1 = x.getAtIndex(JAVA_FLOAT, row + i);
                    double x2 = x.getAtIndex(JAVA_FLOAT, row + i + half);
                    y.setAtIndex(JAVA_FLOAT, row + i, (float) (x1 * c - x2 * s));
                    y.setAtIndex(JAVA_FLOAT, row + i + half, (float) (x2 * c + x1 * s));
                }
            }
        }
    }

    private static double dot(MemorySegment a, long offA, MemorySegment b, long offB, int d) {
        double acc = 0;
        for (int c = 0; c < d; c++) {
            acc += (double) a.getAtIndex(JAVA_FLOAT, offA + c) * b.getAtIndex(JAVA_FLOAT, offB + c);
        }
        return acc;
    }

    private static void store(MemorySegment dst, long offset, double[] src) {
        for (int i = 0; i < src.length; i++) {
            dst.setAtIndex(JAVA_FLOAT, offset + i, (float) src[i]);
        }
    }
}
