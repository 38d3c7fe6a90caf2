package org.wegeft.vision.data;

/**
 * Resizes 8-bit RGB images exactly as PIL's {@code Image.resize(size, resample)} does, so that images prepared
 * here equal those a Hugging Face image processor prepares.
 *
 * <p>Convolution filters (everything but {@link PilFilter#NEAREST}) run in two separable passes, horizontal
 * first, each rounding back to 8 bits:
 * <pre>
 *   scale = in / out,  fs = max(scale, 1)             (shrinking widens the kernel: antialiasing)
 *   center(i) = (i + 0.5)·scale,  support = filter.support · fs
 *   taps of output i: source pixels [int(center − support + 0.5), int(center + support + 0.5)) ∩ [0, in)
 *   w(j) = filter((j − center + 0.5) / fs), normalised to sum 1, then to fixed point: round(w · 2^22)
 *   out = clamp((2^21 + Σ w(j)·src[j]) &gt;&gt; 22, 0, 255)
 * </pre>
 * A pass whose axis keeps its size is skipped. Nearest picks source index {@code int(scale/2 + i·scale)}, the
 * position accumulated in double as PIL's scaling transform does.
 */
public final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {}

    /** The taps of a 1-D resample: output {@code i} reads {@code count[i]} pixels from {@code first[i]}. */
    record Taps(int ksize, int[] first, int[] count, int[] weight) {}

    static Taps taps(int in, int out, PilFilter filter) {
        double scale = (double) in / out;
        double fs = Math.max(scale, 1);
        double support = filter.support() * fs;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[out];
        int[] count = new int[out];
        int[] weight = new int[out * ksize];
        double[] k = new double[ksize];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int lo = Math.max((int) (center - support + 0.5), 0);
            int n = Math.min((int) (center + support + 0.5), in) - lo;
            double sum = 0;
            for (int j = 0; j < n; j++) {
                k[j] = filter.weight((j + lo - center + 0.5) / fs);
                sum += k[j];
            }
            for (int j = 0; j < n; j++) {
                double w = sum != 0 ? k[j] / sum : k[j];
                // round half away from zero, as PIL's conversion to fixed point
                weight[i * ksize + j] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS)
                        : 0.5 + w * (1 << PRECISION_BITS));
            }
            first[i] = lo;
            count[i] = n;
        }
        return new Taps(ksize, first, count, weight);
    }

    /** {@code img} resized to {@code outH}×{@code outW} with {@code filter}; a new image. */
    public static RgbImage resize(RgbImage img, int outH, int outW, PilFilter filter) {
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("resize to " + outH + "x" + outW);
        }
        if (outH == img.height() && outW == img.width()) {
            return new RgbImage(outH, outW, img.pixels().clone());
        }
        if (filter == PilFilter.NEAREST) {
            return nearest(img, outH, outW);
        }
        RgbImage src = img;
        Taps ty = taps(img.height(), outH, filter);
        if (outW != img.width()) {
            // only the rows the vertical pass reads
            int rowFirst = ty.first()[0];
            int rowEnd = ty.first()[outH - 1] + ty.count()[outH - 1];
            if (outH == img.height()) {
                rowFirst = 0;
                rowEnd = img.height();
            }
            src = horizontal(img, rowFirst, rowEnd, taps(img.width(), outW, filter));
            if (outH == img.height()) {
                return src;
            }
            ty = shifted(ty, rowFirst);
        }
        return vertical(src, ty, outH);
    }

    private static Taps shifted(Taps t, int by) {
        int[] first = t.first().clone();
        for (int i = 0; i < first.length; i++) {
            first[i] -= by;
        }
        return new Taps(t.ksize(), first, t.count(), t.weight());
    }

    // rows [rowFirst, rowEnd) of src, each resampled to tx's width: (rowEnd − rowFirst, outW, 3)
    private static RgbImage horizontal(RgbImage src, int rowFirst, int rowEnd, Taps tx) {
        int outW = tx.first().length;
        int inW = src.width();
        byte[] in = src.pixels();
        byte[] out = new byte[(rowEnd - rowFirst) * outW * 3];
        for (int y = rowFirst; y < rowEnd; y++) {
            int inRow = y * inW * 3;
            int outRow = (y - rowFirst) * outW * 3;
            for (int x = 0; x < outW; x++) {
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                int lo = tx.first()[x];
                int kb = x * tx.ksize();
                for (int j = 0, n = tx.count()[x]; j < n; j++) {
                    int w = tx.weight()[kb + j];
                    int p = inRow + (lo + j) * 3;
                    s0 += (in[p] & 0xFF) * w;
                    s1 += (in[p + 1] & 0xFF) * w;
                    s2 += (in[p + 2] & 0xFF) * w;
                }
                out[outRow + x * 3] = clip8(s0);
                out[outRow + x * 3 + 1] = clip8(s1);
                out[outRow + x * 3 + 2] = clip8(s2);
            }
        }
        return new RgbImage(rowEnd - rowFirst, outW, out);
    }

    private static RgbImage vertical(RgbImage src, Taps ty, int outH) {
        int w = src.width();
        byte[] in = src.pixels();
        byte[] out = new byte[outH * w * 3];
        for (int y = 0; y < outH; y++) {
            int lo = ty.first()[y];
            int n = ty.count()[y];
            int kb = y * ty.ksize();
            for (int i = 0; i < w * 3; i++) {
                int s = 1 << (PRECISION_BITS - 1);
                for (int j = 0; j < n; j++) {
                    s += (in[(lo + j) * w * 3 + i] & 0xFF) * ty.weight()[kb + j];
                }
                out[y * w * 3 + i] = clip8(s);
            }
        }
        return new RgbImage(outH, w, out);
    }

    private static byte clip8(int acc) {
        return (byte) Math.clamp(acc >> PRECISION_BITS, 0, 255);
    }

    private static RgbImage nearest(RgbImage img, int outH, int outW) {
        int[] xs = nearestIndex(img.width(), outW);
        int[] ys = nearestIndex(img.height(), outH);
        byte[] in = img.pixels();
        byte[] out = new byte[outH * outW * 3];
        for (int y = 0; y < outH; y++) {
            if (ys[y] < 0) {
                continue; // outside the source: PIL leaves the pixel black
            }
            for (int x = 0; x < outW; x++) {
                if (xs[x] >= 0) {
                    System.arraycopy(in, (ys[y] * img.width() + xs[x]) * 3, out, (y * outW + x) * 3, 3);
                }
            }
        }
        return new RgbImage(outH, outW, out);
    }

    private static int[] nearestIndex(int in, int out) {
        double step = (double) in / out;
        double pos = step * 0.5;
        int[] idx = new int[out];
        for (int i = 0; i < out; i++) {
            int s = (int) pos;
            idx[i] = s < in ? s : -1;
            pos += step;
        }
        return idx;
    }
}
