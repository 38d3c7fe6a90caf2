package org.wegeft.vision;

import java.nio.file.Path;
import java.util.List;

/** timm's ViT and this project's own ViT config (no {@code model_type}): a {@link VisionTransformer}. */
final class TimmVitFamily implements VisionFamily {
    @Override
    public List<String> modelTypes() {
        return List.of("");
    }

    @Override
    public ImageClassifier load(Path dir, boolean strict) {
        return VisionTransformer.fromPretrained(dir, VitConfig.read(dir), strict);
    }

    @Override
    public ImageInput input(Path dir) {
        return VitConfig.read(dir).input();
    }
}
