package org.wegeft.llm;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * The pre-norm decoder block LLaMA, Mistral, the Qwens and Phi-3 share: {@code self_attn}, {@code mlp},
 * {@code input_layernorm}, {@code post_attention_layernorm}; x + attn(norm(x)), then h + mlp(norm(h)). The families
 * differ in the attention and MLP modules they put in it (split or fused projections).
 */
abstract class PreNormDecoderLayer<A extends Module & BlockAttention, M extends Module & Layer> extends DecoderLayer {
    private final Slot<A> selfAttn;
    private final Slot<M> mlp;
    private final Slot<Layer> inputLayernorm;
    private final Slot<Layer> postAttentionLayernorm;

    PreNormDecoderLayer(String prefix, DecoderConfig c, A attention, M mlp, WeightSource w) {
        this.selfAttn = registerModule("self_attn", attention);
        this.mlp = registerModule("mlp", mlp);
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

    public A selfAttn() {
        return selfAttn.get();
    }

    public M mlp() {
        return mlp.get();
    }
}
