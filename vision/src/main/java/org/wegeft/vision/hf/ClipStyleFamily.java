package org.wegeft.vision.hf;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigSizes;
import org.wegeft.nn.LayerNorm;
import org.wegeft.vision.VitMlp;
import org.wegeft.vision.hf.EncoderLayer.Part;

/**
 * What the CLIP and SigLIP vision towers share: the {@code vision_model} prefix in both vision-only and full
 * checkpoints (whose text tower, projections and logit scale are not read), layers {@code layer_norm1, self_attn
 * (q_proj, k_proj, v_proj, out_proj), layer_norm2, mlp (fc1, fc2)}, a {@code classifier} on the mean of tokens, and
 * the default adapter targets {@code q_proj}, {@code v_proj}.
 */
abstract class ClipStyleFamily extends HfFamily {
    static final String PREFIX = "vision_model";

    ClipStyleFamily(String label, List<String> modelTypes) {
        super(label, modelTypes, List.of("q_proj", "v_proj"));
    }

    @Override
    String prefix(HfVisionConfig c) {
        return PREFIX;
    }

    @Override
    @Nullable String ignored(String key) {
        if (key.startsWith(PREFIX + ".")) {
            return key.equals(PREFIX + ".embeddings.position_ids") ? "position_ids (positions are 0..T-1)" : null;
        }
        if (key.startsWith("text_model.") || key.startsWith("text_projection") || key.startsWith("visual_projection")
                || key.startsWith("logit_")) {
            return "the text tower and the projections (text_model.*, *_projection, logit_*; only the vision tower"
                    + " is used)";
        }
        return null;
    }

    /** Tokens in front of the patches that have a position: CLIP's class embedding, none for SigLIP. */
    abstract int prefixTokens();

    @Override
    ConfigSizes sizes(HfVisionConfig c, Map<String, long[]> shapes) {
        String e = PREFIX + ".embeddings.";
        String patch = e + "patch_embedding.weight";
        ConfigSizes s = encoder(c, PREFIX + ".encoder.layers.", patch)
                .dim("intermediate_size", c.intermediateSize(), PREFIX + ".encoder.layers.0.mlp.fc1.weight", 0);
        return imageSize(s, c, prefixTokens(), e + "position_embedding.weight", 0);
    }

    /** A layer: layer_norm1, self_attn, layer_norm2, mlp. */
    static Supplier<EncoderLayer> layer(HfVisionConfig c, RandomGenerator rng) {
        float eps = (float) c.layerNormEps();
        int dim = c.hiddenSize();
        return () -> new EncoderLayer(new Part("layer_norm1", new LayerNorm(dim, eps, true)),
                new Part("self_attn", new SelfAttention(dim, c.numAttentionHeads(), c.qkvBias(),
                        SelfAttention.Names.CLIP, rng)), null,
                new Part("layer_norm2", new LayerNorm(dim, eps, true)),
                List.of(new Part("mlp", new VitMlp(dim, c.intermediateSize(), Activations.of(c.hiddenAct()), rng))),
                null, 0f, rng);
    }

    /** The classification model over {@code tower}: {@code classifier} on the mean of the tokens from {@code first}. */
    HfImageClassifier classifier(HfVisionConfig c, ClipVisionTransformer tower, int first, RandomGenerator rng) {
        return new HfImageClassifier(this, c, PREFIX, tower,
                List.of(new ClassifierHead("classifier", c.hiddenSize(), ClassifierHead.meanFrom(first))), rng);
    }

    @Override
    abstract HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng);
}
