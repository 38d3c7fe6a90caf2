package org.wegeft.vision.data;

import java.util.List;

/**
 * The per-sample image pipeline: decoded image → crop/resize to {@code size}×{@code size} → optional horizontal
 * flip (p = 0.5) → normalise with {@code mean}/{@code std}.
 *
 * <ul>
 *   <li>{@link Crop#RESIZE}: resize the whole image to size×size.</li>
 *   <li>{@link Crop#RESIZE_CENTER_CROP}: resize the shorter side to {@code resizeTo} (aspect kept), then take
 *       the centred size×size window (timm/torchvision evaluation).</li>
 *   <li>{@link Crop#RANDOM_RESIZED_CROP}: torchvision's {@code RandomResizedCrop(size, scale, ratio)}.</li>
 * </ul>
 *
 * Random choices draw from the sample's seed (see {@link org.wegeft.nn.data.SampleReader}).
 */
public record ImagePipeline(int size, Crop crop, int resizeTo, Interpolation interpolation, boolean hflip,
        double scaleMin, double scaleMax, double ratioMin, double ratioMax, List<Double> mean, List<Double> std) {
    /** How the image is brought to size×size. */
    public enum Crop { RESIZE, RESIZE_CENTER_CROP, RANDOM_RESIZED_CROP }

    public ImagePipeline {
        if (size <= 0 || resizeTo < size) {
            throw new IllegalArgumentException("image pipeline: size " + size + ", resizeTo " + resizeTo
                    + " (need 0 < size <= resizeTo)");
        }
        if (mean.size() != 3 || std.size() != 3 || std.stream().anyMatch(s -> !(s > 0))) {
            throw new IllegalArgumentException("image pipeline: mean/std need 3 values (std > 0), got " + mean + " / "
                    + std);
        }
        if (!(0 < scaleMin && scaleMin <= scaleMax && scaleMax <= 1 && 0 < ratioMin && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("image pipeline: scale (" + scaleMin + ", " + scaleMax + "), ratio ("
                    + ratioMin + ", " + ratioMax + ")");
        }
        mean = List.copyOf(mean);
        std = List.copyOf(std);
    }

    /** Evaluation: resize the shorter side to {@code size}, centre crop, normalise (bilinear). */
    public static ImagePipeline eval(int size, List<Double> mean, List<Double> std) {
        return new ImagePipeline(size, Crop.RESIZE_CENTER_CROP, size, Interpolation.BILINEAR, false, 1, 1, 1, 1,
                mean, std);
    }

    /** Training: RandomResizedCrop(size, scale = (0.08, 1), ratio = (3/4, 4/3)) + horizontal flip. */
    public static ImagePipeline train(int size, List<Double> mean, List<Double> std) {
        return new ImagePipeline(size, Crop.RANDOM_RESIZED_CROP, size, Interpolation.BILINEAR, true, 0.08, 1,
                3.0 / 4, 4.0 / 3, mean, std);
    }

    /** Plain resize to size×size, optionally with horizontal flip (small images, VTAB-1k style). */
    public static ImagePipeline resize(int size, boolean hflip, List<Double> mean, List<Double> std) {
        return new ImagePipeline(size, Crop.RESIZE, size, Interpolation.BILINEAR, hflip, 1, 1, 1, 1, mean, std);
    }

    public ImagePipeline withInterpolation(Interpolation i) {
        return new ImagePipeline(size, crop, resizeTo, i, hflip, scaleMin, scaleMax, ratioMin, ratioMax, mean, std);
    }

    public ImagePipeline withHflip(boolean flip) {
        return new ImagePipeline(size, crop, resizeTo, interpolation, flip, scaleMin, scaleMax, ratioMin, ratioMax,
                mean, std);
    }

    public ImagePipeline withScale(double min, double max) {
        return new ImagePipeline(size, crop, resizeTo, interpolation, hflip, min, max, ratioMin, ratioMax, mean,
                std);
    }

    /** Evaluation with the shorter side resized to {@code resize} before the centre crop. */
    public ImagePipeline withResizeTo(int resize) {
        return new ImagePipeline(size, crop, resize, interpolation, hflip, scaleMin, scaleMax, ratioMin, ratioMax,
                mean, std);
    }

    float[] meanArray() {
        return toFloats(mean);
    }

    float[] stdArray() {
        return toFloats(std);
    }

    static float[] toFloats(List<Double> v) {
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = v.get(i).floatValue();
        }
        return f;
    }
}
