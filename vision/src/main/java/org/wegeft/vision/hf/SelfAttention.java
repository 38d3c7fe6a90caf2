package org.wegeft.vision.hf;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.MultiHeadAttention;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * Multi-head self-attention with separate query, key and value Linears under the family's names, each a
 * {@code Slot<Layer>} so an adapter can stand in for it: ViT's {@code attention.attention} ({@code query},
 * {@code key}, {@code value}; its output projection lives in a sibling) or CLIP's {@code self_attn}
 * ({@code q_proj}, {@code k_proj}, {@code v_proj}, {@code out_proj}).
 *
 * <pre>
 *   x (B, T, C) ─ q, k, v ─▶ 3 × (B, T, C) ─ softmax(q·kᵀ/√D)·v per head ─▶ (B, T, C) ─ [out] ─▶ (B, T, C)
 * </pre>
 */
public final class SelfAttention extends Module implements Layer {
    /** The children's names: query, key, value, and the output projection (null: none here). */
    public record Names(String query, String key, String value, @Nullable String out) {
        /** ViT / DeiT / DINOv2's {@code attention.attention}. */
        public static final Names VIT = new Names("query", "key", "value", null);
        /** CLIP / SigLIP's {@code self_attn}. */
        public static final Names CLIP = new Names("q_proj", "k_proj", "v_proj", "out_proj");
    }

    private final int heads;
    private final Slot<Layer> query;
    private final Slot<Layer> key;
    private final Slot<Layer> value;
    private final @Nullable Slot<Layer> out;

    public SelfAttention(int dim, int heads, boolean qkvBias, Names names, RandomGenerator rng) {
        this.heads = heads;
        this.query = registerModule(names.query(), Layer.class, new Linear(dim, dim, qkvBias, rng));
        this.key = registerModule(names.key(), Layer.class, new Linear(dim, dim, qkvBias, rng));
        this.value = registerModule(names.value(), Layer.class, new Linear(dim, dim, qkvBias, rng));
        this.out = names.out() == null ? null : registerModule(names.out(), Layer.class, new Linear(dim, dim, true, rng));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> {
            Tensor ctx = MultiHeadAttention.attend(query.get().call(x), key.get().call(x), value.get().call(x), heads,
                    heads, false);                                                   // (B, T, C), heads merged
            return out == null ? ctx : out.get().forward(ctx);
        });
    }
}
