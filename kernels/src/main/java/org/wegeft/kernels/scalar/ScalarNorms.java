package org.wegeft.kernels.scalar;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** Reference row softmax, LayerNorm and RMSNorm with their backwards; row statistics in double. */
final class ScalarNorms {

    private ScalarNorms() {
    }

    /** Whether column j of row r is hidden by the causal mask (query q = r % tq sees j ≤ q + cols − tq). */
    static boolean masked(boolean causal, int r, int j, int cols, int tq) {
        return causal && j > r % tq + (cols - tq);
    }

    static void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        if (causal && tq <= 0) {
            throw new IllegalArgumentException("softmax: causal needs tq >= 1, got " + tq);
        }
        // x, y: (rows, cols)
        for (int r = 0; r < rows; r++) {
            long row = (long) r * cols;
            double max = Double.NEGATIVE_INFINITY;
            int visible = 0;
            for (int j = 0; j < cols; j++) {
                if (!masked(causal, r, j, cols, tq)) {
                    max = Math.max(max, x.getAtIndex(JAVA_FLOAT, row + j));
                    visible++;
                }
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                if (!masked(causal, r, j, cols, tq)) {
                    sum += Math.exp(x.getAtIndex(JAVA_FLOAT, row + j) - max);
                }
            }
            for (int j = 0; j < cols; j++) {
                double p = visible == 0 || masked(causal, r, j, cols, tq)
                        ? 0.0 : Math.exp(x.getAtIndex(JAVA_FLOAT, row + j) - max) / sum;
                y.setAtIndex(JAVA_FLOAT, row + j, (float) p);
            }
        }
    }

    static void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += (double) dy.getAtIndex(JAVA_FLOAT, row + j) * y.getAtIndex(JAVA_FLOAT, row + j);
            }
            for (int j = 0; j < cols; j++) {
                double yj = y.getAtIndex(JAVA_FLOAT, row + j);
                dx.setAtIndex(JAVA_FLOAT, row + j, (float) (yj * (dy.getAtIndex(JAVA_FLOAT, row + j) - dot)));
            }
        }
    }

    static void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        // x, y: (rows, cols); gamma, beta: (cols); mean, rstd: (rows)
        for (int r = 0; r < rows; r++) {
            long row = (long) r * cols;
            double mu = 0;
            for (int j = 0; j < cols; j++) {
                mu += x.getAtIndex(JAVA_FLOAT, row + j);
            }
            mu /= cols;
            double var = 0;
            for (int j = 0; j < cols; j++) {
                double c = x.getAtIndex(JAVA_FLOAT, row + j) - mu;
                var += c * c;
            }
            var /= cols;
            double rs = 1.0 / Math.sqrt(var + eps);
            for (int j = 0; j < cols; j++) {
                double v = (x.getAtIndex(JAVA_FLOAT, row + j) - mu) * rs;
                if (!isNull(gamma)) {
                    v *= gamma.getAtIndex(JAVA_FLOAT, j);
                }
                if (!isNull(beta)) {
                    v += beta.getAtIndex(JAVA_FLOAT, j);
                }
                y.setAtIndex(JAVA_FLOAT, row + j, (float) v);
            }
            mean.setAtIndex(JAVA_FLOAT, r, (float) mu);
            rstd.setAtIndex(JAVA_FLOAT, r, (float) rs);
        }
    }

    static void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        double[] dg = new double[cols];
        double[] db = new double[cols];
        for (int r = 0; r < rows; r++) {
            long row = (long) r * cols;
            double mu = mean.getAtIndex(JAVA_FLOAT, r);
            double rs = rstd.getAtIndex(JAVA_FLOAT, r);
            // dxhat = dy * gamma; dx = rstd * (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
            double meanDxhat = 0;
            double meanDxhatXhat = 0;
            for (int j = 0; j < cols; j++) {
                double xhat = (x.getAtIndex(JAVA_FLOAT, row + j) - mu) * rs;
                double g = dy.getAtIndex(JAVA_FLOAT, row + j);
                double dxhat = g * weight(gamma, j);
                meanDxhat += dxhat;
                meanDxhatXhat += dxhat * xhat;
                dg[j] += g * xhat;
                db[j] += g;
            }
            meanDxhat /= cols;
            meanDxhatXhat /= cols;
            for (int j = 0; j < cols; j++) {
                double xhat = (x.getAtIndex(JAVA_FLOAT, row + j) - mu) * rs;
                double dxhat = dy.getAtIndex(JAVA_FLOAT, row + j) * weight(gamma, j);
                dx.setAtIndex(JAVA_FLOAT, row + j, (float) (rs * (dxhat - meanDxhat - xhat * meanDxhatXhat)));
            }
        }
        accumulate(dgamma, dg);
        accumulate(dbeta, db);
    }

    static void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd,
                        int rows, int cols, float eps) {
        // x, y: (rows, cols); weight: (cols); rstd: (rows)
        for (int r = 0; r < rows; r++) {
            long row = (long) r * cols;
            double ms = 0;
            for (int j = 0; j < cols; j++) {
                double v = x.getAtIndex(JAVA_FLOAT, row + j);
                ms += v * v;
            }
            double rs = 1.0 / Math.sqrt(ms / cols + eps);
            for (int j = 0; j < cols; j++) {
                double v = x.getAtIndex(JAVA_FLOAT, row + j) * rs * weight(weight, j);
                y.setAtIndex(JAVA_FLOAT, row + j, (float) v);
            }
            rstd.setAtIndex(JAVA_FLOAT, r, (float) rs);
        }
    }

    static void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        double[] dw = new double[cols];
        for (int r = 0; r < rows; r++) {
            long row = (long) r * cols;
            double rs = rstd.getAtIndex(JAVA_FLOAT, r);
            // y = x·rs·w, rs = (mean(x²)+eps)^(-1/2): dx = rs·w·dy − x · rs³/cols · Σ dy·w·x
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                double xj = x.getAtIndex(JAVA_FLOAT, row + j);
                double g = dy.getAtIndex(JAVA_FLOAT, row + j);
                dot += g * weight(weight, j) * xj;
                dw[j] += g * xj * rs;
            }
            double k = rs * rs * rs * dot / cols;
            for (int j = 0; j < cols; j++) {
                double xj = x.getAtIndex(JAVA_FLOAT, row + j);
                double g = dy.getAtIndex(JAVA_FLOAT, row + j);
                dx.setAtIndex(JAVA_FLOAT, row + j, (float) (rs * weight(weight, j) * g - xj * k));
            }
        }
        accumulate(dweight, dw);
    }

    static boolean isNull(MemorySegment s) {
        return s.equals(MemorySegment.NULL);
    }

    /** weight[j], or 1 when the optional weight is NULL. */
    private static double weight(MemorySegment w, int j) {
        return isNull(w) ? 1.0 : w.getAtIndex(JAVA_FLOAT, j);
    }

    /** target[j] += sum[j] for an optional target. */
    private static void accumulate(MemorySegment target, double[] sum) {
        if (isNull(target)) {
            return;
        }
        for (int j = 0; j < sum.length; j++) {
            target.setAtIndex(JAVA_FLOAT, j, (float) (target.getAtIndex(JAVA_FLOAT, j) + sum[j]));
        }
    }
}
