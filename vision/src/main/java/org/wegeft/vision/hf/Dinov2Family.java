package org.wegeft.vision.hf;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.wegeft.nn.Layer;
import org.wegeft.nn.LayerNorm;
import org.wegeft.tensor.Functional;
import org.wegeft.vision.VitMlp;
import org.wegeft.vision.hf.EncoderLayer.Part;

/**
 * Hugging Face DINOv2 ({@code "dinov2"}) and DINOv2 with registers ({@code "dinov2_with_registers"}): layers
 * {@code norm1, attention, layer_scale1, norm2, mlp, layer_scale2} with a GELU MLP ({@code fc1}, {@code fc2}) or,
 * with {@code use_swiglu_ffn}, SwiGLU ({@code weights_in}, {@code weights_out}); position embeddings interpolated
 * bicubically to the image's patch grid as transformers does (antialiased with registers); register tokens after
 * the class token. {@code Dinov2ForImageClassification}'s {@code classifier} reads the class token concatenated with
 * the mean of the patch tokens (registers excluded).
 */
public final class Dinov2Family extends VitLayoutFamily {
    private static final String REGISTERS = "dinov2_with_registers";

    public Dinov2Family() {
        super("DINOv2", List.of("dinov2", REGISTERS), "dinov2", defaults(0));
    }

    private static HfDefaults defaults(int registers) {
        return new HfDefaults(16, "gelu", 1e-6, HfDefaults.IMAGENET_MEAN, HfDefaults.IMAGENET_STD, "bicubic",
                registers);
    }

    @Override
    HfDefaults defaults(String modelType) {
        return defaults(modelType.equals(REGISTERS) ? 4 : 0);
    }

    @Override
    String prefix(HfVisionConfig c) {
        return c.modelType().equals(REGISTERS) ? REGISTERS : "dinov2";
    }

    @Override
    HfImageClassifier build(HfVisionConfig c, Map<String, long[]> shapes, RandomGenerator rng) {
        String prefix = prefix(c);
        int registers = c.modelType().equals(REGISTERS) ? c.numRegisterTokens() : 0;
        VitEmbeddings emb = new VitEmbeddings(c, 1, registers, shapes.get(prefix + ".embeddings.mask_token"),
                registers > 0 ? VitEmbeddings.Interpolation.BICUBIC_ANTIALIAS : VitEmbeddings.Interpolation.BICUBIC,
                rng);
        int dim = c.hiddenSize();
        ClassifierHead head = new ClassifierHead("classifier", 2 * dim, h ->          // [class token; patch mean]
                Functional.cat(List.of(h.select(1, 0), ClassifierHead.meanFrom(1 + registers).apply(h)), 1));
        return new HfImageClassifier(this, c, prefix, new VitStyleModel(c, emb, layer(c, rng)), List.of(head), rng);
    }

    // norm1, attention, layer_scale1, norm2, mlp (GELU or SwiGLU), layer_scale2
    private static Supplier<EncoderLayer> layer(HfVisionConfig c, RandomGenerator rng) {
        float eps = (float) c.layerNormEps();
        int dim = c.hiddenSize();
        return () -> {
            Layer mlp = c.useSwiglu() ? new SwiGluFfn(dim, c.intermediateSize(), rng)
                    : new VitMlp(dim, c.intermediateSize(), Activations.of(c.hiddenAct()), rng);
            return new EncoderLayer(new Part("norm1", new LayerNorm(dim, eps, true)),
                    new Part("attention", new HfAttention(c, rng)), new Part("layer_scale1", new LayerScale(dim, 1f)),
                    new Part("norm2", new LayerNorm(dim, eps, true)), List.of(new Part("mlp", mlp)),
                    new Part("layer_scale2", new LayerScale(dim, 1f)), (float) c.dropPathRate(), rng);
        };
    }
}
