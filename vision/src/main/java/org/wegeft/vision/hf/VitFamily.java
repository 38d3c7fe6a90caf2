package org.wegeft.vision.hf;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Hugging Face ViT ({@code model_type "vit"}): {@code ViTForImageClassification} ({@code vit.*},
 * {@code classifier} on the class token) and {@code ViTModel} checkpoints (their pooler is not read), query, key
 * and value unfused.
 */
public final class VitFamily extends VitLayoutFamily {
    public VitFamily() {
        super("ViT", List.of("vit"), "vit",
                new HfDefaults(16, "gelu", 1e-12, HfDefaults.HALF, HfDefaults.HALF, "bilinear", 0));
    }

    @Override
    HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng) {
        VitEmbeddings emb = new VitEmbeddings(c, 1, 0, shapes.get("vit.embeddings.mask_token"),
                VitEmbeddings.Interpolation.NONE, rng);
        return new HfImageClassifier(this, c, "vit", new VitStyleModel(c, emb, vitLayer(c, rng)),
                List.of(new ClassifierHead("classifier", c.hiddenSize(), ClassifierHead.token(0))), rng);
    }
}
