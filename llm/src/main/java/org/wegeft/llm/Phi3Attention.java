package org.wegeft.llm;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * Phi-3 self-attention: LLaMA's grouped-query attention ({@link LlamaAttention#attend}) with q, k and v from one
 * fused projection {@code qkv_proj} (rows: the H·D query rows, then Hkv·D key rows, then Hkv·D value rows) and
 * {@code o_proj}; no biases. Both are {@code Slot<Layer>} so adapters target them by these names.
 *
 * <pre>
 *   x (B, T, C) ─ qkv_proj ─▶ (B, T, (H + 2·Hkv)·D) ─ split ─▶ q (B, H, T, D), k, v (B, Hkv, T, D)
 *               ─ attend (rope, KV cache, causal or sliding window) ─▶ (B, T, H·D) ─ o_proj ─▶ (B, T, C)
 * </pre>
 */
public final class Phi3Attention extends Module implements BlockAttention {
    private final AttentionOptions options;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Slot<Layer> qkvProj;
    private final Slot<Layer> oProj;

    Phi3Attention(String prefix, DecoderConfig c, AttentionOptions options, WeightSource w) {
        this.options = options;
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        int h = c.hiddenSize();
        this.qkvProj = registerModule("qkv_proj", Layer.class, w.linear(prefix + "qkv_proj",
                (heads + 2 * kvHeads) * headDim, h, false));
        this.oProj = registerModule("o_proj", Layer.class, w.linear(prefix + "o_proj", h, heads * headDim, false));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x, BlockContext ctx) {
        long b = x.size(0);
        long t = x.size(1);
        long qRows = (long) heads * headDim;
        long kvRows = (long) kvHeads * headDim;
        return TensorScope.call(() -> {
            Tensor qkv = qkvProj.get().forward(x);                                            // (B, T, (H+2Hkv)·D)
            Tensor q = LlamaAttention.heads(qkv.narrow(-1, 0, qRows), b, t, heads, headDim);     // (B, H, T, D)
            Tensor k = LlamaAttention.heads(qkv.narrow(-1, qRows, kvRows), b, t, kvHeads, headDim);
            Tensor v = LlamaAttention.heads(qkv.narrow(-1, qRows + kvRows, kvRows), b, t, kvHeads, headDim);
            return oProj.get().forward(LlamaAttention.attend(q, k, v, ctx, options, heads / kvHeads));
        });
    }

    public Layer qkvProj() {
        return qkvProj.get();
    }

    public Layer oProj() {
        return oProj.get();
    }
}
