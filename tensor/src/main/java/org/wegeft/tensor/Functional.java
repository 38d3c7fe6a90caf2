package org.wegeft.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.UnaryOp;
import org.wegeft.kernels.WeightDropout;

/**
 * The nn-style operations (torch.nn.functional's names), all differentiable. Fused kernels sit behind
 * linear, layerNorm, rmsNorm, crossEntropy, linearCrossEntropy and scaledDotProductAttention; each equals its
 * unfused composition (tested).
 */
public final class Functional {
    /** torch's default {@code ignore_index}. */
    public static final int IGNORE_INDEX = -100;

    private Functional() {
    }

    /** y = x·Wᵀ + b. x: (..., in), weight: (out, in) as stored, bias: (out) or null. One GEMM, no transpose copy. */
    public static Tensor linear(Tensor x, Tensor weight, @Nullable Tensor bias) {
        return LinearOp.apply(x, weight, bias);
    }

    /**
     * {@code x·drop(W)ᵀ + b}: a linear layer whose frozen weight goes through inverted dropout (each element of W
     * dropped with probability {@code dropout.p()}, the rest scaled by 1/(1−p)), the mask generated inside the GEMMs
     * from {@code dropout.key()} in forward and again in backward, never stored. Element (i, j) of W has index
     * i·(row stride) + j from W's first element (i·in + j for a contiguous W); the same key gives the same mask on
     * every backend.
     * @throws IllegalArgumentException when W requires grad
     */
    public static Tensor linear(Tensor x, Tensor weight, @Nullable Tensor bias, WeightDropout dropout) {
        return LinearOp.apply(x, weight, bias, dropout);
    }

    /**
     * {@code x·Wᵀ + b + scale·(x psiᵀ)(phi·drop(W)ᵀ)}: a frozen linear layer plus a rank-r update generated from its
     * own weight (WeGeFT's generator form), x (..., in), W (out, in), phi and psi (r, in), in one node. The layer's
     * product and the generator's share each pass over W, forward and backward; with a {@code dropout} (or null for
     * none) the generator reads drop(W), its mask generated inside the GEMMs from the key as in
     * {@link #linear(Tensor, Tensor, Tensor, WeightDropout)}. Equal, up to float rounding, to
     * {@code linear(x, W, b).add(linear(x, psi, null).matmul(linear(phi, W, null, dropout)).mul(scale))}.
     * @throws IllegalArgumentException when W requires grad
     */
    public static Tensor generatedLinear(Tensor x, Tensor weight, @Nullable Tensor bias, Tensor phi, Tensor psi,
                                         float scale, @Nullable WeightDropout dropout) {
        return GeneratedLinearOp.apply(x, weight, bias, phi, psi, scale, dropout);
    }

    /**
     * {@code (x + scale·(x aᵀ) b)·Wᵀ + bias}: a frozen linear layer on the rank-r edit of its input (WeGeFT's
     * representation form, a = psi, b = phi), x (..., in), W (out, in), a and b (r, in), in one node whose product
     * edits x as it reads it: the edited copy of x is never made. The same values as
     * {@code linear(lowRankEdit(x, a, b, scale), weight, bias)}, which it runs instead when the backend would write
     * the edited copy anyway, W or the bias is trainable, or W is quantized.
     */
    public static Tensor editedLinear(Tensor x, Tensor weight, @Nullable Tensor bias, Tensor a, Tensor b,
                                      float scale) {
        return EditedLinearOp.apply(x, weight, bias, a, b, scale);
    }

    public static Tensor matmul(Tensor a, Tensor b) {
        return MatMulOp.apply(a, b);
    }

    /**
     * x + scale·(x aᵀ) b: a rank-r edit of the last dimension, x (..., d), a and b (r, d); one autograd node
     * (WeGeFT's representation form, {@code x + s·(x psiᵀ) phi}). Equal to
     * {@code x.add(linear(x, a, null).matmul(b).mul(scale))} up to float rounding, with far fewer passes over x.
     */
    public static Tensor lowRankEdit(Tensor x, Tensor a, Tensor b, float scale) {
        return LowRankEditOp.apply(x, a, b, scale);
    }

    /** Softmax along {@code dim}. */
    public static Tensor softmax(Tensor x, int dim) {
        int d = Shapes.dim(dim, x.dim(), "softmax");
        if (d == x.dim() - 1) {
            return SoftmaxOp.apply(x, false);
        }
        try (Tensor t = x.transpose(d, -1); Tensor s = SoftmaxOp.apply(t, false)) {
            return s.transpose(d, -1);
        }
    }

    /** Log-softmax along {@code dim}. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        int d = Shapes.dim(dim, x.dim(), "logSoftmax");
        if (d == x.dim() - 1) {
            return LogSoftmaxOp.apply(x);
        }
        try (Tensor t = x.transpose(d, -1); Tensor s = LogSoftmaxOp.apply(t)) {
            return s.transpose(d, -1);
        }
    }

    public static Tensor relu(Tensor x) {
        return UnaryMathOp.apply(UnaryOp.RELU, x);
    }

    /** GELU: exact erf form, or torch's {@code approximate='tanh'} form. */
    public static Tensor gelu(Tensor x, boolean tanhApproximation) {
        return UnaryMathOp.apply(tanhApproximation ? UnaryOp.GELU_TANH : UnaryOp.GELU_ERF, x);
    }

    public static Tensor silu(Tensor x) {
        return UnaryMathOp.apply(UnaryOp.SILU, x);
    }

    /**
     * {@code silu(gate) · up}, SwiGLU's gate, as one autograd node: the same values and gradients as
     * {@code gate.silu().mul(up)}, but backward keeps gate and up only (recomputing silu), not silu(gate) as well —
     * a third less of a LLaMA MLP's activation memory. gate and up must have one shape.
     */
    public static Tensor siluMul(Tensor gate, Tensor up) {
        return GatedUnaryOp.apply(UnaryOp.SILU, gate, up);
    }

    /** LayerNorm over the last dim; gamma/beta (C) optional. */
    public static Tensor layerNorm(Tensor x, @Nullable Tensor gamma, @Nullable Tensor beta, float eps) {
        return LayerNormOp.apply(x, gamma, beta, eps);
    }

    /** RMSNorm over the last dim, Hugging Face LLaMA formula: x·rsqrt(mean(x²) + eps)·weight. */
    public static Tensor rmsNorm(Tensor x, @Nullable Tensor weight, float eps) {
        return RmsNormOp.apply(x, weight, eps);
    }

    /** Rows of {@code table} (vocab, dim) picked by I32 {@code ids} (...): (..., dim). */
    public static Tensor embedding(Tensor ids, Tensor table) {
        return EmbeddingOp.apply(ids, table);
    }

    /** Mean cross-entropy of logits (..., C) against I32 targets (...), ignoring {@link #IGNORE_INDEX}. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return crossEntropy(logits, targets, IGNORE_INDEX, 0f);
    }

    /**
     * Mean cross-entropy over the rows whose target is not {@code ignoreIndex}, with torch's label
     * smoothing (target = (1−ε)·onehot + ε/C). logits: (..., C), targets: (...) I32. NaN when every row is
     * ignored (as torch).
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing) {
        if (logits.dim() == 2 && targets.dim() == 1) {
            return CrossEntropyOp.apply(logits, targets, ignoreIndex, labelSmoothing);
        }
        try (Tensor l = logits.reshape(-1, logits.size(-1)); Tensor t = targets.reshape(-1)) {
            return CrossEntropyOp.apply(l, t, ignoreIndex, labelSmoothing);
        }
    }

    /**
     * {@code crossEntropy(linear(hidden, weight, bias), targets, ignoreIndex, labelSmoothing)} without ever holding
     * the (rows × V) logits or their gradient: a language model's head and loss in one node. Rows go through in
     * chunks of a few tens of MB of logits, each one GEMM, the cross-entropy kernel and, when recording, the gradient
     * products; backward only scales the gradients forward produced. Kept for backward: hidden's gradient
     * (rows × C), and weight's and bias's when they are trainable. A frozen BF16/F16 weight is read in its own dtype.
     *
     * @param hidden  (N, C) or (..., C)
     * @param weight  (V, C) as stored (an LM head or a tied embedding)
     * @param bias    (V), or null
     * @param targets I32 (N) or (...), hidden's leading shape
     */
    public static Tensor linearCrossEntropy(Tensor hidden, Tensor weight, @Nullable Tensor bias, Tensor targets,
                                            int ignoreIndex, float labelSmoothing) {
        return LinearCrossEntropyOp.apply(hidden, weight, bias, targets, ignoreIndex, labelSmoothing);
    }

    /**
     * Multi-head attention straight from a fused projection: qkv (B, T, 3·H·D) holds q, k and v as its three column
     * blocks, each (B, T, H, D) (timm's ViT "qkv" layout, flash-attn's qkv-packed input); returns
     * softmax(q·kᵀ·scale [causal])·v with the heads merged, (B, T, H·D). Equals splitting the heads, calling
     * {@link #scaledDotProductAttention} and merging, without the copies (and, in backward, with one gradient for
     * qkv instead of three placed into zeros).
     */
    public static Tensor packedQkvAttention(Tensor qkv, int heads, boolean causal, float scale) {
        return PackedAttentionOp.apply(qkv, heads, causal, scale);
    }

    /** Attention with scale 1/√D. */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, boolean causal) {
        return scaledDotProductAttention(q, k, v, causal, (float) (1.0 / Math.sqrt(q.size(-1))));
    }

    /**
     * softmax(q·kᵀ·scale, causal mask)·v. q: (B, H, Tq, D); k, v: (B, Hkv, Tk, D) with H a multiple of Hkv
     * (grouped-query attention: each k/v head serves H/Hkv query heads). Causal: query i sees keys
     * j ≤ i + Tk − Tq (so a KV cache works).
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, boolean causal, float scale) {
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            return AttentionOp.apply(q, k, v, causal, scale);
        }
        long h = q.size(1);
        long hkv = k.size(1);
        if (h == hkv) {
            return AttentionOp.apply(q, k, v, causal, scale);
        }
        if (hkv == 0 || h % hkv != 0 || v.size(1) != hkv) {
            throw new ShapeMismatchException("attention: query heads " + h + " are not a multiple of key/value heads "
                    + hkv + " (q " + q + ", k " + k + ", v " + v + ")");
        }
        int rep = (int) (h / hkv);
        try (Tensor kr = repeatKv(k, rep); Tensor vr = repeatKv(v, rep)) {
            return AttentionOp.apply(q, kr, vr, causal, scale);
        }
    }

    /** (B, Hkv, T, D) → (B, Hkv·rep, T, D), each head repeated rep times in place (HF repeat_kv). */
    public static Tensor repeatKv(Tensor x, int rep) {
        if (x.dim() != 4) {
            throw new ShapeMismatchException("repeatKv expects (B, Hkv, T, D), got " + x);
        }
        long[] s = x.shapeRef();
        try (Tensor u = x.unsqueeze(2); Tensor e = u.expand(s[0], s[1], rep, s[2], s[3])) {
            return e.reshape(s[0], s[1] * rep, s[2], s[3]);
        }
    }

    /** Rotary embedding (HF rotate_half) of x (..., T, D) with cos/sin (T, D/2) or (T, D). */
    public static Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        return RopeOp.apply(x, cos, sin);
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability p (mask drawn from rng) and scales
     * the rest by 1/(1−p); in eval (or p = 0) returns a view of x.
     */
    public static Tensor dropout(Tensor x, float p, boolean train, RandomGenerator rng) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        }
        if (!train || p == 0f) {
            return x.reshape(x.shapeRef());
        }
        int n = Shapes.checkedInt(x.numel(), "dropout");
        float keep = p == 1f ? 0f : 1f / (1f - p);
        float[] mask = new float[n];
        for (int i = 0; i < n; i++) {
            mask[i] = rng.nextFloat() >= p ? keep : 0f;
        }
        try (Tensor m = Factories.of(mask, x.shapeRef())) {
            return x.mul(m);
        }
    }

    /**
     * Gradient checkpointing: {@code fn(x, constants)} computed without keeping its activations, and recomputed
     * in backward (cost: one extra forward of fn per backward; memory: only x and the constants are kept).
     * {@code fn} must be deterministic given the same inputs (stochastic layers inside must draw the same
     * values again), may capture only leaf tensors and tensors that need no gradient, and must list in
     * {@code params} the trainable leaves it uses (so that the result requires grad even when x does not).
     * Without any input needing grad, or with recording off, this is just {@code fn.apply(x, constants)}.
     *
     * @param x         the input, F32 (B, …)
     * @param constants tensors fn reads that need no gradient (kept alive until backward, then passed again)
     * @param params    the trainable leaves fn uses
     */
    public static Tensor checkpoint(java.util.function.BiFunction<Tensor, List<Tensor>, Tensor> fn, Tensor x,
            List<Tensor> constants, List<Tensor> params) {
        return CheckpointOp.apply(fn, x, constants, params);
    }

    /**
     * Selective gradient checkpointing: {@link #checkpoint(java.util.function.BiFunction, Tensor, List, List)} that
     * also keeps the outputs of the ops {@code keep} names, so the recomputation in backward skips their kernels
     * (more memory, less recomputation). {@code fn} must take the same path both times (the kept outputs are
     * matched in order and by shape; a mismatch throws), and may not itself checkpoint.
     */
    public static Tensor checkpoint(java.util.function.BiFunction<Tensor, List<Tensor>, Tensor> fn, Tensor x,
            List<Tensor> constants, List<Tensor> params, CheckpointKeep keep) {
        return CheckpointOp.apply(fn, x, constants, params, keep);
    }

    /** Concatenation along {@code dim} (all other sizes equal). */
    public static Tensor cat(List<Tensor> parts, int dim) {
        return CatOp.apply(parts, dim);
    }

    /** Stacks equally shaped tensors along a new dim. */
    public static Tensor stack(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("stack of no tensors");
        }
        int d = Shapes.dim(dim, parts.get(0).dim() + 1, "stack");
        List<Tensor> u = new ArrayList<>(parts.size());
        try {
            for (Tensor p : parts) {
                u.add(p.unsqueeze(d));
            }
            return CatOp.apply(u, d);
        } finally {
            for (Tensor t : u) {
                t.close();
            }
        }
    }
}
