package org.wegeft.llm;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * One pre-norm Phi-3 block: {@code self_attn} ({@link Phi3Attention}), {@code mlp} ({@link Phi3Mlp}),
 * {@code input_layernorm}, {@code post_attention_layernorm} (RMSNorm); residual dropout is 0 at inference.
 */
public final class Phi3DecoderLayer extends DecoderLayer {
    private final Slot<Phi3Attention> selfAttn;
    private final Slot<Phi3Mlp> mlp;
    private final Slot<Layer> inputLayernorm;
    private final Slot<Layer> postAttentionLayernorm;

    Phi3DecoderLayer(String prefix, DecoderConfig c, AttentionOptions attention, WeightSource w) {
        this.selfAttn = registerModule("self_attn", new Phi3Attention(prefix + "self_attn.", c, attention, w));
        this.mlp = registerModule("mlp", new Phi3Mlp(prefix + "mlp.", c, w));
        this.inputLayernorm = registerModule("input_layernorm", Layer.class,
                c.family().norm(prefix + "input_layernorm", c.hiddenSize(), c, w));
        this.postAttentionLayernorm = registerModule("post_attention_layernorm", Layer.class,
                c.family().norm(prefix + "post_attention_layernorm", c.hiddenSize(), c, w));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    Tensor forward(Tensor x, BlockContext ctx) {
        return TensorScope.call(() -> {
            Tensor h = x.add(selfAttn.get().forward(inputLayernorm.get().call(x), ctx));   // x + attn(norm(x))
            return h.add(mlp.get().call(postAttentionLayernorm.get().call(h)));            // h + mlp(norm(h))
        });
    }

    public Phi3Attention selfAttn() {
        return selfAttn.get();
    }

    public Phi3Mlp mlp() {
        return mlp.get();
    }
}
