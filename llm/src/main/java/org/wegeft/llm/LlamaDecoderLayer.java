package org.wegeft.llm;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * One pre-norm LLaMA block: {@code self_attn}, {@code mlp}, {@code input_layernorm},
 * {@code post_attention_layernorm} (RMSNorm). Mistral and the Qwens use it too.
 */
public final class LlamaDecoderLayer extends DecoderLayer {
    private final Slot<LlamaAttention> selfAttn;
    private final Slot<LlamaMlp> mlp;
    private final Slot<Layer> inputLayernorm;
    private final Slot<Layer> postAttentionLayernorm;

    LlamaDecoderLayer(String prefix, DecoderConfig c, AttentionOptions attention, boolean qkNorm, WeightSource w) {
        this.selfAttn = registerModule("self_attn", new LlamaAttention(prefix + "self_attn.", c, attention, qkNorm,
                w));
        this.mlp = registerModule("mlp", new LlamaMlp(prefix + "mlp.", c, w));
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

    public LlamaAttention selfAttn() {
        return selfAttn.get();
    }

    public LlamaMlp mlp() {
        return mlp.get();
    }
}
