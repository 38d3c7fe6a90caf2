package org.wegeft.vision.hf;

import java.util.function.Supplier;
import org.wegeft.nn.LayerNorm;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * transformers' {@code ViTModel} / {@code DeiTModel} / {@code Dinov2Model} without a pooler: {@code embeddings},
 * {@code encoder.layer.{i}}, {@code layernorm}; the pooled output is the class token.
 */
final class VitStyleModel extends Module implements VisionBackbone {
    private final Slot<VitEmbeddings> embeddings;
    private final Slot<Encoder> encoder;
    private final Slot<LayerNorm> layernorm;

    VitStyleModel(HfVisionConfig c, VitEmbeddings embeddings, Supplier<EncoderLayer> layer) {
        this.embeddings = registerModule("embeddings", embeddings);
        this.encoder = registerModule("encoder", new Encoder("layer", c.numHiddenLayers(), layer));
        this.layernorm = registerModule("layernorm", new LayerNorm(c.hiddenSize(), (float) c.layerNormEps(), true));
    }

    @Override
    public Tensor forward(Tensor images) {
        return TensorScope.call(() -> layernorm.get().forward(encoder.get().forward(embeddings.get().forward(images))));
    }

    @Override
    public Tensor pooled(Tensor hidden) {
        return hidden.select(1, 0);
    }
}
