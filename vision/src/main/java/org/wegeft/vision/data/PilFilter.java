package org.wegeft.vision.data;

import org.jspecify.annotations.Nullable;

/**
 * PIL's resampling filters under their {@code Image.Resampling} codes (the {@code resample} value of a Hugging Face
 * {@code preprocessor_config.json}), each a kernel {@link #weight(double)} with its {@link #support()} radius in
 * source pixels at scale 1. {@link #NEAREST} has no kernel: it picks one source pixel (see {@link PilResize}).
 */
public enum PilFilter {
    NEAREST(0, 0),
    /** Windowed sinc, 3 lobes. */
    LANCZOS(1, 3),
    /** Triangle. */
    BILINEAR(2, 1),
    /** Keys cubic with a = −0.5 (PIL's choice; PyTorch's bicubic uses −0.75). */
    BICUBIC(3, 2),
    /** Box of width 1. */
    BOX(4, 0.5),
    /** sinc with a Hamming window, 1 lobe. */
    HAMMING(5, 1);

    private static final double CUBIC_A = -0.5;
    private final int code;
    private final double support;

    PilFilter(int code, double support) {
        this.code = code;
        this.support = support;
    }

    /** PIL's integer code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming. */
    public int code() {
        return code;
    }

    public double support() {
        return support;
    }

    /** The filter with PIL code {@code code}, or null when PIL has none. */
    public static @Nullable PilFilter ofCode(int code) {
        for (PilFilter f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        return null;
    }

    /** The filter named {@code name} ("bilinear", "bicubic", …, as timm's {@code interpolation}), or null. */
    public static @Nullable PilFilter ofName(String name) {
        for (PilFilter f : values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        return null;
    }

    /** The kernel at distance {@code x} (in source pixels divided by the filter scale). */
    public double weight(double x) {
        return switch (this) {
            case NEAREST -> throw new UnsupportedOperationException("nearest has no kernel");
            case BOX -> x > -0.5 && x <= 0.5 ? 1 : 0;
            case BILINEAR -> Math.abs(x) < 1 ? 1 - Math.abs(x) : 0;
            case BICUBIC -> cubic(Math.abs(x));
            case LANCZOS -> x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0;
            case HAMMING -> hamming(Math.abs(x));
        };
    }

    private static double cubic(double x) {
        if (x < 1) {
            return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
        }
        return x < 2 ? (((x - 5) * x + 8) * x - 4) * CUBIC_A : 0;
    }

    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double px = x * Math.PI;
        return Math.sin(px) / px;
    }

    private static double hamming(double x) {
        if (x == 0) {
            return 1;
        }
        if (x >= 1) {
            return 0;
        }
        double px = x * Math.PI;
        // PIL writes the window's constants as C floats
        return Math.sin(px) / px * (0.54f + 0.46f * Math.cos(px));
    }
}
