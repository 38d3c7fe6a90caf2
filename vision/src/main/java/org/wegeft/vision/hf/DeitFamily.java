package org.wegeft.vision.hf;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Hugging Face DeiT ({@code model_type "deit"}): ViT's layers with a {@code distillation_token} after the class
 * token. {@code DeiTForImageClassification} reads the class token ({@code classifier});
 * {@code DeiTForImageClassificationWithTeacher} (a checkpoint with {@code cls_classifier}) averages
 * {@code cls_classifier} on the class token and {@code distillation_classifier} on the distillation token. Default
 * adapter targets: {@code query}, {@code value}.
 */
public final class DeitFamily extends HfFamily {
    @Override
    public List<String> modelTypes() {
        return List.of("deit");
    }

    @Override
    public String label() {
        return "DeiT";
    }

    @Override
    HfDefaults defaults(String modelType) {
        return new HfDefaults(16, "gelu", 1e-12, HfDefaults.IMAGENET_MEAN, HfDefaults.IMAGENET_STD, "bicubic", 0);
    }

    @Override
    String prefix(HfVisionConfig c) {
        return "deit";
    }

    @Override
    @Nullable String ignored(String key) {
        return VitFamily.pooler(key);
    }

    @Override
    HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng) {
        VitEmbeddings emb = new VitEmbeddings(c, 2, 0, shapes.get("deit.embeddings.mask_token"),
                VitEmbeddings.Interpolation.NONE, rng);
        List<ClassifierHead> heads = shapes.containsKey("cls_classifier.weight")
                ? List.of(new ClassifierHead("cls_classifier", c.hiddenSize(), ClassifierHead.token(0)),
                        new ClassifierHead("distillation_classifier", c.hiddenSize(), ClassifierHead.token(1)))
                : List.of(new ClassifierHead("classifier", c.hiddenSize(), ClassifierHead.token(0)));
        return new HfImageClassifier(this, c, "deit", new VitStyleModel(c, emb, VitFamily.layers(c, rng)), heads, rng);
    }

    @Override
    public List<String> defaultTargets() {
        return List.of("query", "value");
    }

    @Override
    String savedModelType(HfVisionConfig c) {
        return "deit";
    }
}
