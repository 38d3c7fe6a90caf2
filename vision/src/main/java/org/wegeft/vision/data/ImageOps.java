package org.wegeft.vision.data;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Image operations on float CHW arrays ({@code img[c·H·W + y·W + x]}).
 *
 * <p>Resize convention (PyTorch {@code F.interpolate(..., align_corners=False, antialias=False)}, which is also
 * torchvision's tensor {@code Resize(antialias=False)}): output pixel {@code i} samples the source at
 * {@code s = (i + 0.5)·(in/out) − 0.5}. Bilinear clamps {@code s} to ≥ 0 and mixes pixels ⌊s⌋ and ⌊s⌋+1 (the
 * latter clamped to the last pixel); bicubic uses pixels ⌊s⌋−1 … ⌊s⌋+2 (clamped to the border) with Keys'
 * cubic kernel, a = −0.75. No antialiasing when shrinking (unlike PIL). Both filters are separable: a horizontal
 * pass into a scratch buffer, then a vertical pass.
 */
public final class ImageOps {
    private static final double CUBIC_A = -0.75;

    private ImageOps() {}

    /** Taps (source indices) and weights of a 1-D resample from {@code in} pixels to {@code out}. */
    record Taps(int taps, int[] index, float[] weight) {}

    static Taps taps(int in, int out, Interpolation mode) {
        double scale = (double) in / out;
        int k = mode == Interpolation.BILINEAR ? 2 : 4;
        int[] idx = new int[out * k];
        float[] w = new float[out * k];
        for (int i = 0; i < out; i++) {
            double s = (i + 0.5) * scale - 0.5;
            if (mode == Interpolation.BILINEAR) {
                s = Math.max(s, 0);
                int x0 = (int) s;
                double l1 = s - x0;
                idx[2 * i] = x0;
                idx[2 * i + 1] = Math.min(x0 + 1, in - 1);
                w[2 * i] = (float) (1 - l1);
                w[2 * i + 1] = (float) l1;
            } else {
                int x0 = (int) Math.floor(s);
                double t = s - x0;
                double[] c = {cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)};
                for (int j = 0; j < 4; j++) {
                    idx[4 * i + j] = Math.clamp(x0 - 1 + j, 0, in - 1);
                    w[4 * i + j] = (float) c[j];
                }
            }
        }
        return new Taps(k, idx, w);
    }

    private static double cubic1(double x) {
        return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
    }

    private static double cubic2(double x) {
        return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
    }

    /** Scratch size {@link #resize} needs for a window of {@code winH} rows resized to width {@code outW}. */
    public static int resizeScratch(int channels, int winH, int outW) {
        return channels * winH * outW;
    }

    /**
     * Resizes window {@code box} of {@code src} (C, H, W) to {@code dst} (C, outH, outW).
     *
     * @param scratch at least {@link #resizeScratch}(C, box.height, outW) floats
     */
    public static void resize(float[] src, int channels, int h, int w, CropBox box, float[] dst, int outH, int outW,
            Interpolation mode, float[] scratch) {
        if (box.top() + box.height() > h || box.left() + box.width() > w) {
            throw new IllegalArgumentException("crop " + box + " outside a " + h + "x" + w + " image");
        }
        Taps tx = taps(box.width(), outW, mode);
        Taps ty = taps(box.height(), outH, mode);
        int kx = tx.taps();
        int ky = ty.taps();
        // horizontal pass: scratch (C, box.height, outW)
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < box.height(); y++) {
                int srcRow = c * h * w + (box.top() + y) * w + box.left();
                int tmpRow = (c * box.height() + y) * outW;
                for (int x = 0; x < outW; x++) {
                    float acc = 0;
                    for (int j = 0; j < kx; j++) {
                        acc += tx.weight()[x * kx + j] * src[srcRow + tx.index()[x * kx + j]];
                    }
                    scratch[tmpRow + x] = acc;
                }
            }
        }
        // vertical pass: dst (C, outH, outW)
        for (int c = 0; c < channels; c++) {
            int tmpPlane = c * box.height() * outW;
            int dstPlane = c * outH * outW;
            for (int y = 0; y < outH; y++) {
                int drow = dstPlane + y * outW;
                Arrays.fill(dst, drow, drow + outW, 0f);
                for (int j = 0; j < ky; j++) {
                    float wy = ty.weight()[y * ky + j];
                    int trow = tmpPlane + ty.index()[y * ky + j] * outW;
                    for (int x = 0; x < outW; x++) {
                        dst[drow + x] += wy * scratch[trow + x];
                    }
                }
            }
        }
    }

    /**
     * The centred {@code outH}×{@code outW} window of an {@code h}×{@code w} image; torchvision's rounding
     * ({@code top = round((h − outH) / 2)}, Python's round half to even).
     */
    public static CropBox centerCrop(int h, int w, int outH, int outW) {
        if (outH > h || outW > w) {
            throw new IllegalArgumentException("center crop " + outH + "x" + outW + " larger than " + h + "x" + w);
        }
        return new CropBox((int) Math.rint((h - outH) / 2.0), (int) Math.rint((w - outW) / 2.0), outH, outW);
    }

    /** Copies window {@code box} of {@code src} (C, H, W) into {@code dst} (C, box.height, box.width). */
    public static void crop(float[] src, int channels, int h, int w, CropBox box, float[] dst) {
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < box.height(); y++) {
                System.arraycopy(src, c * h * w + (box.top() + y) * w + box.left(), dst,
                        (c * box.height() + y) * box.width(), box.width());
            }
        }
    }

    /**
     * torchvision's {@code RandomResizedCrop.get_params}: up to 10 tries of an area fraction in {@code scale} and
     * a log-uniform aspect ratio in {@code ratio} (width / height) that fits; else the central crop with the
     * ratio clamped to the range.
     */
    public static CropBox randomResizedCrop(int h, int w, double scaleMin, double scaleMax, double ratioMin,
            double ratioMax, RandomGenerator rng) {
        double area = (double) h * w;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (scaleMin + (scaleMax - scaleMin) * rng.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * rng.nextDouble());
            int cw = (int) Math.rint(Math.sqrt(target * aspect));
            int ch = (int) Math.rint(Math.sqrt(target / aspect));
            if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
                return new CropBox(rng.nextInt(h - ch + 1), rng.nextInt(w - cw + 1), ch, cw);
            }
        }
        double inRatio = (double) w / h;
        int cw;
        int ch;
        if (inRatio < ratioMin) {
            cw = w;
            ch = (int) Math.rint(cw / ratioMin);
        } else if (inRatio > ratioMax) {
            ch = h;
            cw = (int) Math.rint(ch * ratioMax);
        } else {
            cw = w;
            ch = h;
        }
        return new CropBox((h - ch) / 2, (w - cw) / 2, Math.max(ch, 1), Math.max(cw, 1));
    }

    /** Mirrors (C, H, W) left-right in place. */
    public static void flipHorizontal(float[] img, int channels, int h, int w) {
        for (int row = 0; row < channels * h; row++) {
            int a = row * w;
            int b = a + w - 1;
            while (a < b) {
                float t = img[a];
                img[a++] = img[b];
                img[b--] = t;
            }
        }
    }

    /** {@code img[c] = (img[c] − mean[c]) / std[c]} in place, over (C, H, W). */
    public static void normalize(float[] img, int channels, int h, int w, float[] mean, float[] std) {
        int plane = h * w;
        for (int c = 0; c < channels; c++) {
            float m = mean[c];
            float sd = std[c];
            for (int i = c * plane, end = i + plane; i < end; i++) {
                img[i] = (img[i] - m) / sd;
            }
        }
    }
}
