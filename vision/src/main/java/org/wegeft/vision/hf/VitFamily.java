package org.wegeft.vision.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.LayerNorm;
import org.wegeft.vision.hf.EncoderLayer.Part;

/**
 * Hugging Face ViT ({@code model_type "vit"}): {@code ViTForImageClassification} ({@code vit.*},
 * {@code classifier} on the class token) and {@code ViTModel} checkpoints (their pooler is not read), query, key
 * and value unfused. Default adapter targets: {@code query}, {@code value} (PEFT's for ViT).
 */
public final class VitFamily extends HfFamily {
    @Override
    public List<String> modelTypes() {
        return List.of("vit");
    }

    @Override
    public String label() {
        return "ViT";
    }

    @Override
    HfDefaults defaults(String modelType) {
        return new HfDefaults(16, "gelu", 1e-12, HfDefaults.HALF, HfDefaults.HALF, "bilinear", 0);
    }

    @Override
    String prefix(HfVisionConfig c) {
        return "vit";
    }

    @Override
    @Nullable String ignored(String key) {
        return pooler(key);
    }

    /** A base model's pooler, which the classification models of ViT and DeiT do not have. */
    static @Nullable String pooler(String key) {
        int dot = key.indexOf('.');
        return key.startsWith("pooler.", dot + 1) ? "the pooler (" + key.substring(0, dot)
                + ".pooler.*; the classification model has none)" : null;
    }

    @Override
    HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng) {
        VitEmbeddings emb = new VitEmbeddings(c, 1, 0, shapes.get("vit.embeddings.mask_token"),
                VitEmbeddings.Interpolation.NONE, rng);
        return new HfImageClassifier(this, c, "vit", new VitStyleModel(c, emb, layers(c, rng)),
                List.of(new ClassifierHead("classifier", c.hiddenSize(), ClassifierHead.token(0))), rng);
    }

    /** ViT's (and DeiT's) layers: layernorm_before, attention, layernorm_after, intermediate, output. */
    static List<EncoderLayer> layers(HfVisionConfig c, RandomGenerator rng) {
        List<EncoderLayer> layers = new ArrayList<>();
        float eps = (float) c.layerNormEps();
        int dim = c.hiddenSize();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new EncoderLayer(new Part("layernorm_before", new LayerNorm(dim, eps, true)),
                    new Part("attention", new HfAttention(c, rng)), null,
                    new Part("layernorm_after", new LayerNorm(dim, eps, true)),
                    List.of(new Part("intermediate", new Dense(dim, c.intermediateSize(),
                                    Activations.of(c.hiddenAct()), rng)),
                            new Part("output", new Dense(c.intermediateSize(), dim, null, rng))),
                    null, 0f, rng));
        }
        return layers;
    }

    @Override
    public List<String> defaultTargets() {
        return List.of("query", "value");
    }

    @Override
    String savedModelType(HfVisionConfig c) {
        return "vit";
    }
}
