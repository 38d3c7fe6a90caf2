package org.wegeft.vision;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wegeft.nn.ConfigFields;
import org.wegeft.vision.hf.ClipFamily;
import org.wegeft.vision.hf.DeitFamily;
import org.wegeft.vision.hf.Dinov2Family;
import org.wegeft.vision.hf.SiglipFamily;
import org.wegeft.vision.hf.VitFamily;

/**
 * The registry of vision families by {@code model_type}, the one place that lists them (as transformers' auto
 * mappings). Adding a family is its class set plus one line below; a plug-in calls {@link #register} instead.
 */
public final class VisionFamilies {
    private static final Map<String, VisionFamily> BY_TYPE = new LinkedHashMap<>();

    static {
        register(new TimmVitFamily());       // no model_type: timm / this project's ViT (VisionTransformer)
        register(new VitFamily());           // vit
        register(new DeitFamily());          // deit
        register(new Dinov2Family());        // dinov2, dinov2_with_registers
        register(new ClipFamily());          // clip, clip_vision_model
        register(new SiglipFamily());        // siglip, siglip_vision_model
    }

    private VisionFamilies() {
    }

    /**
     * Adds a family.
     * @throws IllegalArgumentException when one of its model types is taken
     */
    public static synchronized void register(VisionFamily family) {
        for (String type : family.modelTypes()) {
            if (BY_TYPE.containsKey(type)) {
                throw new IllegalArgumentException("a vision family for model_type '" + type + "' is registered");
            }
        }
        family.modelTypes().forEach(t -> BY_TYPE.put(t, family));
    }

    /** The registered model types (the empty string: a config without one). */
    public static synchronized List<String> modelTypes() {
        return List.copyOf(BY_TYPE.keySet());
    }

    /**
     * The family of {@code dir}'s {@code config.json}, by its {@code model_type}.
     * @throws VitConfigException naming the file and {@code model_type} when no family reads it
     */
    public static synchronized VisionFamily of(Path dir) {
        Path file = Files.isDirectory(dir) ? dir.resolve(VitConfigJson.FILE) : dir;
        ConfigFields r = ConfigFields.read(file, VitConfigException::new, ConfigFields.Wording.MUST_BE);
        String type = r.string("model_type", "");
        VisionFamily f = BY_TYPE.get(type);
        if (f == null) {
            throw r.error("model_type", "\"" + type + "\" is not a vision family this library reads (registered: "
                    + String.join(", ", BY_TYPE.keySet().stream().filter(t -> !t.isEmpty()).toList()) + ")");
        }
        return f;
    }

    /** The input size and normalisation {@code dir}'s model expects, read from its config files only. */
    public static ImageInput input(Path dir) {
        return of(dir).input(dir);
    }

    /** Loads {@code dir} with its family, strictly (missing and unexpected keys are errors). */
    public static ImageClassifier fromPretrained(Path dir) {
        return of(dir).load(dir, true);
    }
}
