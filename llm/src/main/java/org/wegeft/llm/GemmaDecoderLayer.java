package org.wegeft.llm;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * One Gemma 2 / Gemma 3 block: LLaMA's attention ({@code self_attn}, with q/k norms for Gemma 3) and gated MLP
 * ({@code mlp}, GeGLU), each between a pre-norm and a post-norm: {@code input_layernorm},
 * {@code post_attention_layernorm}, {@code pre_feedforward_layernorm}, {@code post_feedforward_layernorm}
 * ({@link GemmaRMSNorm}s).
 *
 * <pre>
 *   x ─ input_layernorm ─ self_attn ─ post_attention_layernorm ─(+ x)─▶ h
 *   h ─ pre_feedforward_layernorm ─ mlp ─ post_feedforward_layernorm ─(+ h)─▶ out
 * </pre>
 */
public final class GemmaDecoderLayer extends DecoderLayer {
    private final Slot<LlamaAttention> selfAttn;
    private final Slot<LlamaMlp> mlp;
    private final Slot<Layer> inputLayernorm;
    private final Slot<Layer> postAttentionLayernorm;
    private final Slot<Layer> preFeedforwardLayernorm;
    private final Slot<Layer> postFeedforwardLayernorm;

    GemmaDecoderLayer(String prefix, DecoderConfig c, AttentionOptions attention, boolean qkNorm, WeightSource w) {
        this.selfAttn = registerModule("self_attn", new LlamaAttention(prefix + "self_attn.", c, attention, qkNorm,
                w));
        this.mlp = registerModule("mlp", new LlamaMlp(prefix + "mlp.", c, w));
        this.inputLayernorm = norm(prefix, "input_layernorm", c, w);
        this.postAttentionLayernorm = norm(prefix, "post_attention_layernorm", c, w);
        this.preFeedforwardLayernorm = norm(prefix, "pre_feedforward_layernorm", c, w);
        this.postFeedforwardLayernorm = norm(prefix, "post_feedforward_layernorm", c, w);
    }

    private Slot<Layer> norm(String prefix, String name, DecoderConfig c, WeightSource w) {
        return registerModule(name, Layer.class, c.family().norm(prefix + name, c.hiddenSize(), c, w));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    Tensor forward(Tensor x, BlockContext ctx) {
        return TensorScope.call(() -> {
            Tensor a = selfAttn.get().forward(inputLayernorm.get().call(x), ctx);
            Tensor h = x.add(postAttentionLayernorm.get().call(a));                    // x + post(attn(pre x))
            Tensor m = mlp.get().call(preFeedforwardLayernorm.get().call(h));
            return h.add(postFeedforwardLayernorm.get().call(m));                       // h + post(mlp(pre h))
        });
    }

    public LlamaAttention selfAttn() {
        return selfAttn.get();
    }

    public LlamaMlp mlp() {
        return mlp.get();
    }
}
