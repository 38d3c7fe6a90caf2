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
