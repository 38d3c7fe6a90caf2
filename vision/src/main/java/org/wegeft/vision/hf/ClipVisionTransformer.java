package org.wegeft.vision.hf;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.LayerNorm;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * transformers' {@code CLIPVisionTransformer} / {@code SiglipVisionTransformer} (the {@code vision_model} of the
 * vision and full checkpoints): {@code embeddings}, CLIP's {@code pre_layrnorm}, {@code encoder.layers.{i}},
 * {@code post_layernorm} and SigLIP's attention-pooling {@code head}.
 *
 * <pre>
 *   CLIP:   hidden = encoder(pre_layrnorm(embeddings))        pooled = post_layernorm(hidden[:, 0])
 *   SigLIP: hidden = post_layernorm(encoder(embeddings))      pooled = head(hidden)
 * </pre>
 */
final class ClipVisionTransformer extends Module implements VisionBackbone {
    private final Slot<ClipEmbeddings> embeddings;
    private final @Nullable Slot<LayerNorm> preLayrnorm;
    private final Slot<Encoder> encoder;
    private final Slot<LayerNorm> postLayernorm;
    private final @Nullable Slot<AttentionPoolingHead> head;

    /**
     * @param preNorm CLIP's pre_layrnorm (and post_layernorm on the pooled class token only); else SigLIP's
     *                post_layernorm on every token
     * @param head    SigLIP's attention-pooling head, or null
     */
    ClipVisionTransformer(HfVisionConfig c, ClipEmbeddings embeddings, Supplier<EncoderLayer> layer, boolean preNorm,
            @Nullable AttentionPoolingHead head) {
        float eps = (float) c.layerNormEps();
        this.embeddings = registerModule("embeddings", embeddings);
        this.preLayrnorm = preNorm ? registerModule("pre_layrnorm", new LayerNorm(c.hiddenSize(), eps, true)) : null;
        this.encoder = registerModule("encoder", new Encoder("layers", c.numHiddenLayers(), layer));
        this.postLayernorm = registerModule("post_layernorm", new LayerNorm(c.hiddenSize(), eps, true));
        this.head = head == null ? null : registerModule("head", head);
    }

    @Override
    public Tensor forward(Tensor images) {
        return TensorScope.call(() -> {
            Tensor x = embeddings.get().forward(images);                                  // (B, T, C)
            if (preLayrnorm != null) {
                return encoder.get().forward(preLayrnorm.get().forward(x));
            }
            return postLayernorm.get().forward(encoder.get().forward(x));
        });
    }

    /** CLIP: post_layernorm of the class token; SigLIP: the head's output, or the token mean without a head. */
    @Override
    public Tensor pooled(Tensor hidden) {
        return TensorScope.call(() -> {
            if (preLayrnorm != null) {
                return postLayernorm.get().forward(hidden.select(1, 0));
            }
            return head != null ? head.get().forward(hidden) : hidden.mean(1, false);
        });
    }
}
