package org.wegeft.vision.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigFields;

/**
 * A Hugging Face image processor's settings ({@code preprocessor_config.json}), under its field names: resize
 * ({@code do_resize}, {@code size}, {@code resample} as a PIL code), {@code do_center_crop} / {@code crop_size},
 * {@code do_rescale} / {@code rescale_factor}, {@code do_normalize} / {@code image_mean} / {@code image_std}.
 * {@link Preprocessor} applies it. Keys left out take the defaults of the processor class named by
 * {@code image_processor_type} (or {@code feature_extractor_type}): ViT's for classes not listed in
 * {@link #defaults}.
 *
 * @param cropHeight the centre crop's height, 0 when {@code doCenterCrop} is false
 */
public record PreprocessorConfig(boolean doResize, Size size, PilFilter resample, boolean doCenterCrop,
        int cropHeight, int cropWidth, boolean doRescale, double rescaleFactor, boolean doNormalize,
        List<Double> imageMean, List<Double> imageStd) {
    static final String FILE = "preprocessor_config.json";
    private static final String IN_CODE = "PreprocessorConfig";
    private static final List<Double> HALF = List.of(0.5, 0.5, 0.5);
    private static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
    private static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);
    private static final List<Double> CLIP_MEAN = List.of(0.48145466, 0.4578275, 0.40821073);
    private static final List<Double> CLIP_STD = List.of(0.26862954, 0.26130258, 0.27577711);

    /**
     * The resize target: {@code height}×{@code width}, or (when {@code shortestEdge} &gt; 0) the shorter side to
     * {@code shortestEdge} with the aspect ratio kept.
     */
    public record Size(int height, int width, int shortestEdge) {
        public static Size exact(int height, int width) {
            return new Size(height, width, 0);
        }

        public static Size shortestEdge(int edge) {
            return new Size(0, 0, edge);
        }

        /**
         * The output {height, width} for an {@code h}×{@code w} image; for a shortest edge as transformers'
         * {@code get_resize_output_image_size}: the longer side becomes {@code int(edge · long / short)}.
         */
        public int[] outputSize(int h, int w) {
            if (shortestEdge <= 0) {
                return new int[] {height, width};
            }
            int shortSide = Math.min(h, w);
            int longSide = (int) ((double) shortestEdge * Math.max(h, w) / shortSide);
            return w <= h ? new int[] {longSide, shortestEdge} : new int[] {shortestEdge, longSide};
        }
    }

    public PreprocessorConfig {
        if (size.shortestEdge() <= 0 && (size.height() <= 0 || size.width() <= 0)) {
            throw new PreprocessorConfigException(IN_CODE, "size", "must be positive, got " + size);
        }
        if (doCenterCrop && (cropHeight <= 0 || cropWidth <= 0)) {
            throw new PreprocessorConfigException(IN_CODE, "crop_size", "must be positive, got " + cropHeight + "x"
                    + cropWidth);
        }
        if (!(rescaleFactor > 0) || Double.isInfinite(rescaleFactor)) {
            throw new PreprocessorConfigException(IN_CODE, "rescale_factor", "must be a positive number, got "
                    + rescaleFactor);
        }
        if (imageMean.size() != 3) {
            throw new PreprocessorConfigException(IN_CODE, "image_mean", "needs 3 values (R, G, B), got " + imageMean);
        }
        if (imageStd.size() != 3 || imageStd.stream().anyMatch(s -> !(s > 0))) {
            throw new PreprocessorConfigException(IN_CODE, "image_std", "needs 3 positive values, got " + imageStd);
        }
        imageMean = List.copyOf(imageMean);
        imageStd = List.copyOf(imageStd);
    }

    /** Resize to {@code size}×{@code size} with {@code resample}, rescale by 1/255, normalise (ViT's steps). */
    public static PreprocessorConfig square(int size, PilFilter resample, List<Double> mean, List<Double> std) {
        return new PreprocessorConfig(true, Size.exact(size, size), resample, false, 0, 0, true, 1 / 255.0, true,
                mean, std);
    }

    /** The defaults of a processor class: what a config that names it but leaves keys out gets. */
    record Defaults(Size size, boolean squareIfInt, PilFilter resample, boolean centerCrop, int crop,
            List<Double> mean, List<Double> std) {}

    static final Defaults VIT = new Defaults(Size.exact(224, 224), true, PilFilter.BILINEAR, false, 0, HALF, HALF);

    /** Per processor family (the class name without "ImageProcessor" / "FeatureExtractor"). */
    static final Map<String, Defaults> DEFAULTS = Map.of(
            "ViT", VIT,
            "CLIP", new Defaults(Size.shortestEdge(224), false, PilFilter.BICUBIC, true, 224, CLIP_MEAN, CLIP_STD),
            "Bit", new Defaults(Size.shortestEdge(224), false, PilFilter.BICUBIC, true, 224, CLIP_MEAN, CLIP_STD),
            "DeiT", new Defaults(Size.exact(256, 256), true, PilFilter.BICUBIC, true, 224, IMAGENET_MEAN,
                    IMAGENET_STD),
            "Siglip", new Defaults(Size.exact(224, 224), true, PilFilter.BICUBIC, false, 0, HALF, HALF));

    /** The defaults for {@code processorType} (e.g. {@code "CLIPImageProcessor"}); ViT's when unknown. */
    static Defaults defaults(String processorType) {
        String family = processorType.replaceFirst("(ImageProcessor(Fast)?|FeatureExtractor)$", "");
        return DEFAULTS.getOrDefault(family, VIT);
    }

    /** Reads {@code preprocessor_config.json} in a folder, or the given file. */
    public static PreprocessorConfig read(Path dirOrFile) {
        Path file = java.nio.file.Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE) : dirOrFile;
        ConfigFields r = ConfigFields.read(file, PreprocessorConfigException::new, ConfigFields.Wording.MUST_BE);
        return r.namingSource(() -> parse(r));
    }

    private static PreprocessorConfig parse(ConfigFields r) {
        String type = r.string("image_processor_type", r.string("feature_extractor_type", "ViTImageProcessor"));
        Defaults d = defaults(type);
        if (r.get("crop_pct") != null) {
            throw r.error("crop_pct", "is not supported (only resize, centre crop, rescale, normalize)");
        }
        boolean doResize = r.bool("do_resize", true);
        Size size = size(r, d);
        int code = r.integer("resample", d.resample().code());
        PilFilter resample = PilFilter.ofCode(code);
        if (resample == null) {
            throw r.error("resample", "must be a PIL filter code 0..5 (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, "
                    + "4 box, 5 hamming), got " + code);
        }
        boolean crop = r.bool("do_center_crop", d.centerCrop());
        int[] cropSize = crop ? cropSize(r, d) : new int[2];
        return new PreprocessorConfig(doResize, size, resample, crop, cropSize[0], cropSize[1],
                r.bool("do_rescale", true), r.number("rescale_factor", 1 / 255.0), r.bool("do_normalize", true),
                channels(r, "image_mean", d.mean()), channels(r, "image_std", d.std()));
    }

    private static Size size(ConfigFields r, Defaults d) {
        JsonNode n = r.get("size");
        if (n == null) {
            return d.size();
        }
        if (n.isIntegralNumber()) {
            int s = positive(r, "size", n);
            return d.squareIfInt() ? Size.exact(s, s) : Size.shortestEdge(s);
        }
        if (n.isObject() && n.has("shortest_edge") && !n.has("longest_edge") && !n.has("height")) {
            return Size.shortestEdge(positive(r, "size.shortest_edge", n.get("shortest_edge")));
        }
        if (n.isObject() && n.has("height") && n.has("width") && n.size() == 2) {
            return Size.exact(positive(r, "size.height", n.get("height")), positive(r, "size.width", n.get("width")));
        }
        throw r.error("size", "must be {\"height\", \"width\"}, {\"shortest_edge\"} or an integer, got " + n);
    }

    private static int[] cropSize(ConfigFields r, Defaults d) {
        JsonNode n = r.get("crop_size");
        if (n == null) {
            if (d.crop() <= 0) {
                throw r.missing("crop_size");
            }
            return new int[] {d.crop(), d.crop()};
        }
        if (n.isIntegralNumber()) {
            int s = positive(r, "crop_size", n);
            return new int[] {s, s};
        }
        if (n.isObject() && n.has("height") && n.has("width") && n.size() == 2) {
            return new int[] {positive(r, "crop_size.height", n.get("height")),
                    positive(r, "crop_size.width", n.get("width"))};
        }
        throw r.error("crop_size", "must be {\"height\", \"width\"} or an integer, got " + n);
    }

    private static int positive(ConfigFields r, String key, @Nullable JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() <= 0) {
            throw r.error(key, "must be a positive integer, got " + n);
        }
        return n.intValue();
    }

    // a list of 3, or one number for all channels (transformers accepts both)
    private static List<Double> channels(ConfigFields r, String key, List<Double> dflt) {
        JsonNode n = r.get(key);
        if (n != null && n.isNumber()) {
            return List.of(n.doubleValue(), n.doubleValue(), n.doubleValue());
        }
        List<Double> v = r.numbers(key, dflt);
        if (v.size() != 3) {
            throw r.error(key, "needs 3 values (R, G, B), got " + v);
        }
        return v;
    }
}
