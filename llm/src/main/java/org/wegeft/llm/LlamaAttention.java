package org.wegeft.llm;

import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.MultiHeadAttention;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * LLaMA self-attention with grouped-query heads and rotary embeddings, Hugging Face names
 * {@code q_proj, k_proj, v_proj, o_proj} (each a {@code Slot<Layer>} so adapters can stand in).
 *
 * <pre>
 *   x (B, T, C) ─ q_proj ─▶ (B, H, T, D) ─ rope ─┐
 *               ─ k_proj ─▶ (B, Hkv, T, D) ─ rope ─┤─ [KV cache: + cached keys/values] ─ attention (causal
 *               ─ v_proj ─▶ (B, Hkv, T, D) ────────┘   [+ padding mask], k/v heads shared by H/Hkv queries)
 *   ─▶ (B, T, H·D) ─ o_proj ─▶ (B, T, C)
 * </pre>
 */
public final class LlamaAttention extends Module {
    private final int layerIndex;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Slot<Layer> qProj;
    private final Slot<Layer> kProj;
    private final Slot<Layer> vProj;
    private final Slot<Layer> oProj;

    LlamaAttention(String prefix, int layerIndex, LlamaConfig c, WeightSource w) {
        this.layerIndex = layerIndex;
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        int h = c.hiddenSize();
        this.qProj = registerModule("q_proj", Layer.class, w.linear(prefix + "q_proj", heads * headDim, h, c.qkvBias()));
        this.kProj = registerModule("k_proj", Layer.class, w.linear(prefix + "k_proj", kvHeads * headDim, h,
                c.qkvBias()));
        this.vProj = registerModule("v_proj", Layer.class, w.linear(prefix + "v_proj", kvHeads * headDim, h,
                c.qkvBias()));
        this.oProj = registerModule("o_proj", Layer.class, w.linear(prefix + "o_proj", h, heads * headDim, c.oBias()));
    }

    // x: (B, T, C) → (B, T, C)
    Tensor forward(Tensor x, BlockContext ctx) {
        long b = x.size(0);
        long t = x.size(1);
        return TensorScope.call(() -> {
            Tensor q = ctx.rope(heads(qProj.get().forward(x), b, t, heads));            // (B, H, T, D)
            Tensor k = ctx.rope(heads(kProj.get().forward(x), b, t, kvHeads));          // (B, Hkv, T, D)
            Tensor v = heads(vProj.get().forward(x), b, t, kvHeads);                    // (B, Hkv, T, D)
            KvCache cache = ctx.cache();
            Tensor[] kv = cache == null ? null : cache.append(layerIndex, k, v);       // (B, Hkv, Tk, D)
            Tensor o = attend(q, kv == null ? k : kv[0], kv == null ? v : kv[1], ctx.maskBias());
            return oProj.get().forward(MultiHeadAttention.mergeHeads(o));                // (B, T, H·D)
        });
    }

    // (B, T, n·D) → (B, n, T, D)
    private Tensor heads(Tensor y, long b, long t, int n) {
        return y.reshape(b, t, n, headDim).transpose(1, 2);
    }

    // q: (B, H, T, D), k/v: (B, Hkv, Tk, D), maskBias (B, 1, T, Tk) → (B, H, T, D)
    private Tensor attend(Tensor q, Tensor k, Tensor v, @Nullable Tensor maskBias) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        if (maskBias == null) {
            return Functional.scaledDotProductAttention(q, k, v, true, scale);   // fused, causal from the end
        }
        int rep = heads / kvHeads;
        return TensorScope.call(() -> {
            Tensor kr = rep == 1 ? k : Functional.repeatKv(k, rep);
            Tensor vr = rep == 1 ? v : Functional.repeatKv(v, rep);
            Tensor p = q.matmul(kr.transpose(-2, -1)).mul(scale).add(maskBias).softmax(-1);   // (B, H, T, Tk)
            return p.matmul(vr);
        });
    }

    public Layer qProj() {
        return qProj.get();
    }

    public Layer kProj() {
        return kProj.get();
    }

    public Layer vProj() {
        return vProj.get();
    }

    public Layer oProj() {
        return oProj.get();
    }
}
