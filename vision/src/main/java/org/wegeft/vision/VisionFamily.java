package org.wegeft.vision;

import java.nio.file.Path;
import java.util.List;

/**
 * One model family of the vision module: the {@code model_type}s of {@code config.json} it reads and how it loads a
 * folder. Each family is one line in {@link VisionFamilies}.
 */
public interface VisionFamily {
    /**
     * The {@code model_type} values it loads; an empty string stands for a config without one (timm's ViT and this
     * project's own ViT config).
     */
    List<String> modelTypes();

    /** Loads {@code dir} (config.json and its safetensors), strictly when {@code strict}, at the config's image size. */
    ImageClassifier load(Path dir, boolean strict);

    /** The input size and normalisation of {@code dir}'s model, from its config files alone. */
    ImageInput input(Path dir);
}
