package org.wegeft.vision.hf;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Hugging Face DeiT ({@code model_type "deit"}): ViT's layers with a {@code distillation_token} after the class
 * token. {@code DeiTForImageClassification} reads the class token ({@code classifier});
 * {@code DeiTForImageClassificationWithTeacher} (a checkpoint with {@code cls_classifier}) averages
 * {@code cls_classifier} on the class token and {@code distillation_classifier} on the distillation token.
 */
public final class DeitFamily extends VitLayoutFamily {
    public DeitFamily() {
        super("DeiT", List.of("deit"), "deit",
                new HfDefaults(16, "gelu", 1e-12, HfDefaults.IMAGENET_MEAN, HfDefaults.IMAGENET_STD, "bicubic", 0));
    }

    @Override
    int prefixTokens() {
        return 2;                        // class and distillation tokens
    }

    @Override
    HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng) {
        VitEmbeddings emb = new VitEmbeddings(c, prefixTokens(), 0, shapes.get("deit.embeddings.mask_token"),
                VitEmbeddings.Interpolation.NONE, rng);
        List<ClassifierHead> heads = shapes.containsKey("cls_classifier.weight")
                ? List.of(new ClassifierHead("cls_classifier", c.hiddenSize(), ClassifierHead.token(0)),
                        new ClassifierHead("distillation_classifier", c.hiddenSize(), ClassifierHead.token(1)))
                : List.of(new ClassifierHead("classifier", c.hiddenSize(), ClassifierHead.token(0)));
        return new HfImageClassifier(this, c, "deit", new VitStyleModel(c, emb, vitLayer(c, rng)), heads, rng);
    }
}
