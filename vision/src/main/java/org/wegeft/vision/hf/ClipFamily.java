package org.wegeft.vision.hf;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The CLIP vision tower ({@code "clip_vision_model"}, or the {@code vision_model} of a full {@code "clip"}
 * checkpoint): a {@code class_embedding} in front of bias-free patch embeddings, {@code pre_layrnorm}, quick-GELU
 * layers, and {@code post_layernorm} on the pooled class token. {@code CLIPForImageClassification}'s
 * {@code classifier} reads the mean of the patch tokens of the last hidden state.
 */
public final class ClipFamily extends ClipStyleFamily {
    public ClipFamily() {
        super("CLIP", List.of("clip", "clip_vision_model"));
    }

    @Override
    HfDefaults defaults(String modelType) {
        return new HfDefaults(32, "quick_gelu", 1e-5, List.of(0.48145466, 0.4578275, 0.40821073),
                List.of(0.26862954, 0.26130258, 0.27577711), "bicubic", 0);
    }

    @Override
    int prefixTokens() {
        return 1;
    }

    @Override
    HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng) {
        ClipEmbeddings emb = new ClipEmbeddings(c, prefixTokens() > 0, false, rng);
        return classifier(c, new ClipVisionTransformer(c, emb, layer(c, rng), true, null), 1, rng);
    }

    @Override
    String savedModelType(HfVisionConfig c) {
        return "clip_vision_model";
    }
}
