package org.wegeft.vision.hf;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * ViT's {@code attention} (also DeiT's and DINOv2's): {@code attention} (query, key, value) then {@code output}
 * ({@code dense}), so the projections are {@code attention.attention.query} … {@code attention.output.dense}.
 */
final class HfAttention extends Module implements Layer {
    private final Slot<SelfAttention> attention;
    private final Slot<Layer> output;

    HfAttention(HfVisionConfig c, RandomGenerator rng) {
        int dim = c.hiddenSize();
        this.attention = registerModule("attention",
                new SelfAttention(dim, c.numAttentionHeads(), c.qkvBias(), SelfAttention.Names.VIT, rng));
        this.output = registerModule("output", Layer.class, new Dense(dim, dim, null, rng));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> output.get().forward(attention.get().forward(x)));
    }
}
