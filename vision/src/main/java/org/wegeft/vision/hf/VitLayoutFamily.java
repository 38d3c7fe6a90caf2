package org.wegeft.vision.hf;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigSizes;
import org.wegeft.nn.LayerNorm;
import org.wegeft.vision.hf.EncoderLayer.Part;

/**
 * What ViT, DeiT and DINOv2 share: transformers' ViT module layout ({@code embeddings}, {@code encoder.layer.{i}}
 * with {@code attention.attention.{query,key,value}} and {@code attention.output.dense}, {@code layernorm}), a
 * base model's {@code pooler} that the classification models do not read, and the default adapter targets
 * {@code query}, {@code value} (PEFT's for ViT).
 */
abstract class VitLayoutFamily extends HfFamily {
    private final String prefix;
    private final HfDefaults defaults;

    /**
     * @param prefix   transformers' {@code base_model_prefix}
     * @param defaults the config defaults
     */
    VitLayoutFamily(String label, List<String> modelTypes, String prefix, HfDefaults defaults) {
        super(label, modelTypes, List.of("query", "value"));
        this.prefix = prefix;
        this.defaults = defaults;
    }

    @Override
    HfDefaults defaults(String modelType) {
        return defaults;
    }

    @Override
    String prefix(HfVisionConfig c) {
        return prefix;
    }

    /** Tokens in front of the patches that have a position (the class token; DeiT's distillation token too). */
    int prefixTokens() {
        return 1;
    }

    @Override
    ConfigSizes sizes(HfVisionConfig c, Map<String, long[]> shapes) {
        String p = prefix(c);
        String e = p + ".embeddings.";
        String l0 = p + ".encoder.layer.0.";
        String patch = e + "patch_embeddings.projection.weight";
        ConfigSizes s = encoder(c, p + ".encoder.layer.", patch)
                .dim("intermediate_size", c.intermediateSize(), l0 + "intermediate.dense.weight", 0)   // ViT, DeiT
                .dim("intermediate_size", c.intermediateSize(), l0 + "mlp.fc1.weight", 0)              // DINOv2
                .dim("num_register_tokens", c.numRegisterTokens(), e + "register_tokens", 1);
        return imageSize(s, c, prefixTokens(), e + "position_embeddings", 1);
    }

    @Override
    @Nullable String ignored(String key) {
        int dot = key.indexOf('.');
        return key.startsWith("pooler.", dot + 1) ? "the pooler (" + key.substring(0, dot)
                + ".pooler.*; the classification model has none)" : null;
    }

    @Override
    String savedModelType(HfVisionConfig c) {
        return c.modelType();
    }

    /** ViT's (and DeiT's) layer: layernorm_before, attention, layernorm_after, intermediate, output. */
    static Supplier<EncoderLayer> vitLayer(HfVisionConfig c, RandomGenerator rng) {
        float eps = (float) c.layerNormEps();
        int dim = c.hiddenSize();
        return () -> new EncoderLayer(new Part("layernorm_before", new LayerNorm(dim, eps, true)),
                new Part("attention", new HfAttention(c, rng)), null,
                new Part("layernorm_after", new LayerNorm(dim, eps, true)),
                List.of(new Part("intermediate", new Dense(dim, c.intermediateSize(), Activations.of(c.hiddenAct()),
                                rng)),
                        new Part("output", new Dense(c.intermediateSize(), dim, null, rng))),
                null, 0f, rng);
    }
}
