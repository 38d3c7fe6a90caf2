package org.wegeft.vision.hf;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The SigLIP vision tower ({@code "siglip_vision_model"}, or the {@code vision_model} of a full {@code "siglip"}
 * checkpoint): patch embeddings with bias and no class token, tanh-GELU layers, {@code post_layernorm} on every
 * token, and (when the checkpoint has it) the attention-pooling {@code head}. {@code SiglipForImageClassification}'s
 * {@code classifier} reads the mean of all tokens of the last hidden state.
 */
public final class SiglipFamily extends ClipStyleFamily {
    public SiglipFamily() {
        super("SigLIP", List.of("siglip", "siglip_vision_model"));
    }

    @Override
    HfDefaults defaults(String modelType) {
        return new HfDefaults(16, "gelu_pytorch_tanh", 1e-6, HfDefaults.HALF, HfDefaults.HALF, "bicubic", 0);
    }

    @Override
    int prefixTokens() {
        return 0;
    }

    @Override
    HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng) {
        ClipEmbeddings emb = new ClipEmbeddings(c, prefixTokens() > 0, true, rng);
        AttentionPoolingHead head = shapes.containsKey(PREFIX + ".head.probe") ? new AttentionPoolingHead(c, rng)
                : null;
        return classifier(c, new ClipVisionTransformer(c, emb, layer(c, rng), false, head), 0, rng);
    }

    @Override
    String savedModelType(HfVisionConfig c) {
        return "siglip_vision_model";
    }
}
