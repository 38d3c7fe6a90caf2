package org.wegeft.vision.hf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigSizes;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.ImageInput;
import org.wegeft.vision.VisionFamily;

/**
 * A Hugging Face vision family: its config defaults, the prefix of its base model in classification checkpoints,
 * the checkpoint tensors it does not use, and how it builds its {@code *ForImageClassification}. Loading and saving
 * are shared ({@link HfCheckpoint}).
 */
public abstract class HfFamily implements VisionFamily {
    private final String label;
    private final List<String> modelTypes;
    private final List<String> defaultTargets;

    /**
     * @param label          the family's name in messages ("ViT", "CLIP", …)
     * @param modelTypes     the {@code model_type}s it reads
     * @param defaultTargets the adapter targets used when none are given
     */
    HfFamily(String label, List<String> modelTypes, List<String> defaultTargets) {
        this.label = label;
        this.modelTypes = List.copyOf(modelTypes);
        this.defaultTargets = List.copyOf(defaultTargets);
    }

    /** The family's name in messages ("ViT", "CLIP", …). */
    public final String label() {
        return label;
    }

    @Override
    public final List<String> modelTypes() {
        return modelTypes;
    }

    /** The adapter targets used when none are given. */
    public final List<String> defaultTargets() {
        return defaultTargets;
    }

    /** Config defaults for {@code modelType}. */
    abstract HfDefaults defaults(String modelType);

    /** transformers' {@code base_model_prefix} of a checkpoint of {@code c}. */
    abstract String prefix(HfVisionConfig c);

    /**
     * Why a checkpoint tensor (after the base-model prefix was added) is not read, or null when it is: a pooler the
     * classification model does not have, a text tower.
     */
    abstract @Nullable String ignored(String key);

    /**
     * The classification model of {@code c}.
     * @param shapes the checkpoint's tensor shapes by (prefixed) name, for parts that only some checkpoints carry
     */
    abstract HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng);

    /**
     * The config values that size the model, each tied to the checkpoint tensor that carries it; checked against
     * the checkpoint's header shapes before the model is built.
     * @param shapes the checkpoint's tensor shapes by (prefixed) name (which optional tokens it stores)
     */
    abstract ConfigSizes sizes(HfVisionConfig c, Map<String, long[]> shapes);

    /**
     * The sizes every Hugging Face vision encoder declares: the layer count against the highest index under
     * {@code layers}, and the width, channels and patch size against the patch embedding's convolution
     * {@code patch} (out, in, height, width).
     */
    static ConfigSizes encoder(HfVisionConfig c, String layers, String patch) {
        return new ConfigSizes()
                .layers("num_hidden_layers", c.numHiddenLayers(), layers)
                .dim("hidden_size", c.hiddenSize(), patch, 0)
                .dim("num_channels", c.numChannels(), patch, 1)
                .dim("patch_size", c.patchSize(), patch, 2);
    }

    /**
     * The rule tying {@code image_size} to the stored positions: {@code prefixTokens} + (image_size / patch_size)²
     * rows along {@code axis} of {@code positions}.
     */
    static ConfigSizes imageSize(ConfigSizes s, HfVisionConfig c, int prefixTokens, String positions, int axis) {
        long grid = c.imageSize() / c.patchSize();
        long tokens = prefixTokens + grid * grid;
        return s.dim("image_size", c.imageSize() + " (patch_size " + c.patchSize() + ": " + grid + "x" + grid
                + " patches + " + prefixTokens + " prefix token(s) = " + tokens + " positions)", tokens, positions, axis);
    }

    /** The {@code model_type} a saved model of {@code c} declares (a full CLIP's is its vision tower's). */
    abstract String savedModelType(HfVisionConfig c);

    @Override
    public ImageClassifier load(Path dir, boolean strict) {
        return HfCheckpoint.load(dir, this, strict);
    }

    @Override
    public ImageInput input(Path dir) {
        return HfVisionConfigJson.read(dir, defaults(HfVisionConfigJson.modelType(dir))).input();
    }
}
