package org.wegeft.vision;

import org.wegeft.tensor.Tensor;

/**
 * Resamples an absolute position embedding to another patch grid, as timm's {@code resample_abs_pos_embed}
 * (with {@code antialias=False}): the prefix (class) tokens are kept, the grid part is resized with torch's
 * bicubic interpolation ({@code F.interpolate(mode='bicubic', align_corners=False)}: cubic convolution with
 * A = −0.75, source index scale·(i + ½) − ½, edge pixels repeated).
 */
public final class PosEmbedResample {
    private static final double A = -0.75;

    private PosEmbedResample() {
    }

    /**
     * posEmbed: (1, prefix + oldH·oldW, C) → (1, prefix + newH·newW, C), grid row-major. Not differentiable
     * (a load-time transform).
     */
    public static Tensor resample(Tensor posEmbed, int prefix, int oldH, int oldW, int newH, int newW) {
        if (posEmbed.dim() != 3 || posEmbed.size(0) != 1 || posEmbed.size(1) != prefix + (long) oldH * oldW) {
            throw new IllegalArgumentException("pos_embed " + posEmbed + " does not hold " + prefix + " prefix tokens + a "
                    + oldH + "x" + oldW + " grid");
        }
        if (newH <= 0 || newW <= 0) {
            throw new IllegalArgumentException("target grid must be positive, got " + newH + "x" + newW);
        }
        int c = (int) posEmbed.size(2);
        float[] src = posEmbed.toFloatArray();
        float[] out = new float[(prefix + newH * newW) * c];
        System.arraycopy(src, 0, out, 0, prefix * c);
        double[][] wy = weights(oldH, newH);
        int[][] iy = indices(oldH, newH);
        double[][] wx = weights(oldW, newW);
        int[][] ix = indices(oldW, newW);
        for (int y = 0; y < newH; y++) {
            for (int x = 0; x < newW; x++) {
                int o = (prefix + y * newW + x) * c;
                for (int ch = 0; ch < c; ch++) {
                    double acc = 0;
                    for (int i = 0; i < 4; i++) {
                        double row = 0;
                        for (int j = 0; j < 4; j++) {
                            row += wx[x][j] * src[(prefix + iy[y][i] * oldW + ix[x][j]) * c + ch];
                        }
                        acc += wy[y][i] * row;
                    }
                    out[o + ch] = (float) acc;
                }
            }
        }
        return Tensor.of(out, 1, prefix + (long) newH * newW, c);
    }

    /** Square grids: the common case of a new image size. */
    public static Tensor resample(Tensor posEmbed, int prefix, int oldGrid, int newGrid) {
        return resample(posEmbed, prefix, oldGrid, oldGrid, newGrid, newGrid);
    }

    /**
     * The same resize as a matrix M (newH·newW, oldH·oldW) over a row-major grid, so that {@code M · grid} resizes
     * a (oldH·oldW, C) grid and gradients flow back through the product (transformers interpolates in forward).
     * {@code antialias}: torch's {@code antialias=True} variant (Keys cubic with A = −0.5, taps widened by the scale
     * when shrinking, weights renormalised over the taps inside the grid) instead of the clamped A = −0.75 one.
     */
    public static Tensor matrix(int oldH, int oldW, int newH, int newW, boolean antialias) {
        double[][] my = antialias ? antialiased(oldH, newH) : clamped(oldH, newH);
        double[][] mx = antialias ? antialiased(oldW, newW) : clamped(oldW, newW);
        float[] m = new float[newH * newW * oldH * oldW];
        for (int y = 0; y < newH; y++) {
            for (int x = 0; x < newW; x++) {
                int row = (y * newW + x) * oldH * oldW;
                for (int sy = 0; sy < oldH; sy++) {
                    for (int sx = 0; sx < oldW; sx++) {
                        m[row + sy * oldW + sx] = (float) (my[y][sy] * mx[x][sx]);
                    }
                }
            }
        }
        return Tensor.of(m, (long) newH * newW, (long) oldH * oldW);
    }

    // the 1-D resize (out × in) of F.interpolate(mode='bicubic', align_corners=False)
    private static double[][] clamped(int in, int out) {
        double[][] w = weights(in, out);
        int[][] idx = indices(in, out);
        double[][] m = new double[out][in];
        for (int i = 0; i < out; i++) {
            for (int k = 0; k < 4; k++) {
                m[i][idx[i][k]] += w[i][k];
            }
        }
        return m;
    }

    // the 1-D resize (out × in) of F.interpolate(mode='bicubic', align_corners=False, antialias=True)
    private static double[][] antialiased(int in, int out) {
        double scale = (double) in / out;
        double support = scale >= 1 ? 2 * scale : 2;
        double invScale = scale >= 1 ? 1 / scale : 1;
        double[][] m = new double[out][in];
        for (int i = 0; i < out; i++) {
            double center = scale * (i + 0.5);
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), in);
            double total = 0;
            for (int j = lo; j < hi; j++) {
                m[i][j] = keys((j - center + 0.5) * invScale);
                total += m[i][j];
            }
            for (int j = lo; j < hi && total != 0; j++) {
                m[i][j] /= total;
            }
        }
        return m;
    }

    // Keys' cubic convolution kernel with A = −0.5 (torch's antialiased bicubic filter)
    private static double keys(double x) {
        double a = -0.5;
        double t = Math.abs(x);
        if (t < 1) {
            return ((a + 2) * t - (a + 3)) * t * t + 1;
        }
        return t < 2 ? ((a * t - 5 * a) * t + 8 * a) * t - 4 * a : 0;
    }

    private static double source(int in, int out, int i) {
        return (double) in / out * (i + 0.5) - 0.5; // not clamped at 0 for cubic (torch)
    }

    // the 4 taps' weights for each output index
    private static double[][] weights(int in, int out) {
        double[][] w = new double[out][];
        for (int i = 0; i < out; i++) {
            double real = source(in, out, i);
            double t = real - Math.floor(real);
            w[i] = new double[] {cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)};
        }
        return w;
    }

    // the 4 taps' source indices (clamped to the border) for each output index
    private static int[][] indices(int in, int out) {
        int[][] idx = new int[out][4];
        for (int i = 0; i < out; i++) {
            int base = (int) Math.floor(source(in, out, i));
            for (int k = 0; k < 4; k++) {
                idx[i][k] = Math.clamp(base - 1 + k, 0, in - 1);
            }
        }
        return idx;
    }

    // |x| ≤ 1
    private static double cubic1(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    // 1 < |x| < 2
    private static double cubic2(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
