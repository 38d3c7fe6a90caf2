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
 * {@code q_proj, k_proj, v_proj, o_proj} (each a {@code Slot<Layer>} so adapters can stand in), and, for the
 * families that have them (Qwen3, Gemma 3), {@code q_norm} and {@code k_norm}: a norm over each head's D
 * dimensions before RoPE.
 *
 * <pre>
 *   x (B, T, C) ─ q_proj ─▶ (B, H, T, D) ─ [q_norm] ─ rope ─┐
 *               ─ k_proj ─▶ (B, Hkv, T, D) ─ [k_norm] ─ rope ─┤─ [KV cache: + cached keys/values] ─ attention
 *               ─ v_proj ─▶ (B, Hkv, T, D) ───────────────────┘   (causal or sliding window [+ padding mask]
 *                                                                  [soft-capped scores], k/v heads shared by H/Hkv)
 *   ─▶ (B, T, H·D) ─ o_proj ─▶ (B, T, C)
 * </pre>
 */
public final class LlamaAttention extends Module implements BlockAttention {
    private final AttentionOptions options;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Slot<Layer> qProj;
    private final Slot<Layer> kProj;
    private final Slot<Layer> vProj;
    private final Slot<Layer> oProj;
    private final @Nullable Slot<Layer> qNorm;
    private final @Nullable Slot<Layer> kNorm;

    /** @param qkNorm whether the family normalises each head's q and k ({@code q_norm}, {@code k_norm}) */
    LlamaAttention(String prefix, DecoderConfig c, AttentionOptions options, boolean qkNorm, WeightSource w) {
        this.options = options;
        this.heads = c.numAttentionHeads();
        this.kvHeads = c.numKeyValueHeads();
        this.headDim = c.headDim();
        int h = c.hiddenSize();
        boolean bias = options.qkvBias();
        this.qProj = registerModule("q_proj", Layer.class, w.linear(prefix + "q_proj", heads * headDim, h, bias));
        this.kProj = registerModule("k_proj", Layer.class, w.linear(prefix + "k_proj", kvHeads * headDim, h, bias));
        this.vProj = registerModule("v_proj", Layer.class, w.linear(prefix + "v_proj", kvHeads * headDim, h, bias));
        this.oProj = registerModule("o_proj", Layer.class, w.linear(prefix + "o_proj", h, heads * headDim,
                options.oBias()));
        DecoderFamily f = c.family();
        this.qNorm = qkNorm ? registerModule("q_norm", Layer.class, f.norm(prefix + "q_norm", headDim, c, w)) : null;
        this.kNorm = qkNorm ? registerModule("k_norm", Layer.class, f.norm(prefix + "k_norm", headDim, c, w)) : null;
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x, BlockContext ctx) {
        long b = x.size(0);
        long t = x.size(1);
        return TensorScope.call(() -> {
            Tensor q = heads(qProj.get().forward(x), b, t, heads, headDim);             // (B, H, T, D)
            Tensor k = heads(kProj.get().forward(x), b, t, kvHeads, headDim);           // (B, Hkv, T, D)
            Tensor v = heads(vProj.get().forward(x), b, t, kvHeads, headDim);           // (B, Hkv, T, D)
            if (qNorm != null) {
                q = qNorm.get().forward(q);
                k = kNorm.get().forward(k);
            }
            return oProj.get().forward(attend(q, k, v, ctx, options, heads / kvHeads));  // (B, T, H·D)
        });
    }

    // (B, T, n·D) → (B, n, T, D)
    static Tensor heads(Tensor y, long b, long t, int n, int headDim) {
        return y.reshape(b, t, n, headDim).transpose(1, 2);
    }

    /**
     * The attention of one layer after its projections: q (B, H, T, D) and k, v (B, Hkv, T, D) not yet rotated →
     * (B, T, H·D), heads merged. Rotates q and k, extends the KV cache, and attends causally, within the layer's
     * window when it has one.
     * @param rep query heads per key/value head
     */
    static Tensor attend(Tensor q, Tensor k, Tensor v, BlockContext ctx, AttentionOptions o, int rep) {
        return TensorScope.call(() -> {
            Tensor qr = ctx.rope(q, o.rope());
            Tensor kr = ctx.rope(k, o.rope());
            KvCache cache = ctx.cache();
            Tensor[] kv = cache == null ? null : cache.append(o.layer(), kr, v);      // (B, Hkv, Tk, D)
            Tensor keys = kv == null ? kr : kv[0];
            Tensor values = kv == null ? v : kv[1];
            Tensor bias = ctx.maskBias();
            if (o.window() != null) {      // keys before windowStart are outside every query's window
                long tk = keys.size(2);
                keys = keys.narrow(2, ctx.windowStart(), tk - ctx.windowStart());
                values = values.narrow(2, ctx.windowStart(), tk - ctx.windowStart());
                bias = ctx.windowBias();
            }
            return MultiHeadAttention.mergeHeads(scores(qr, keys, values, bias, o, rep));
        });
    }

    // q: (B, H, T, D), k/v: (B, Hkv, Tk, D), bias (B|1, 1, T, Tk) → (B, H, T, D)
    private static Tensor scores(Tensor q, Tensor k, Tensor v, @Nullable Tensor bias, AttentionOptions o, int rep) {
        if (bias == null) {
            if (o.softcap() != null) {
                throw new IllegalStateException("soft-capped attention needs its mask in the context");
            }
            return Functional.scaledDotProductAttention(q, k, v, true, o.scale());   // fused, causal from the end
        }
        return TensorScope.call(() -> {
            Tensor kr = rep == 1 ? k : Functional.repeatKv(k, rep);
            Tensor vr = rep == 1 ? v : Functional.repeatKv(v, rep);
            Tensor s = q.matmul(kr.transpose(-2, -1)).mul(o.scale());                    // (B, H, T, Tk)
            if (o.softcap() != null) {
                s = s.div(o.softcap()).tanh().mul(o.softcap());
            }
            return s.add(bias).softmax(-1).matmul(vr);
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
