package org.wegeft.vision;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.MultiHeadAttention;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/**
 * timm's ViT {@code Attention}: a fused "qkv" Linear (C → 3C), softmax(q·kᵀ·head_dim^-0.5)·v per head, and a
 * "proj" Linear (C → C). Both are {@code Slot<Layer>} so an adapter can stand in for either.
 *
 * <pre>
 *   x (B, T, C) ─ qkv ─▶ (B, T, 3, H, D) ─ permute ─▶ q, k, v (B, H, T, D) ─ attention ─▶ (B, T, H·D) ─ proj ─▶ (B, T, C)
 * </pre>
 */
public final class VitAttention extends Module {
    private final int numHeads;
    private final int headDim;
    private final Slot<Layer> qkv;
    private final Slot<Layer> proj;

    public VitAttention(int dim, int numHeads, boolean qkvBias, RandomGenerator rng) {
        this.numHeads = numHeads;
        this.headDim = dim / numHeads;
        this.qkv = registerModule("qkv", Layer.class, VitInit.linear(new Linear(dim, 3 * dim, qkvBias, rng), rng));
        this.proj = registerModule("proj", Layer.class, VitInit.linear(new Linear(dim, dim, true, rng), rng));
    }

    // x: (B, T, C) → (B, T, C)
    public Tensor forward(Tensor x) {
        long b = x.size(0);
        long t = x.size(1);
        try (Tensor fused = qkv.get().forward(x);                                // (B, T, 3C)
             Tensor five = fused.reshape(b, t, 3, numHeads, headDim);          // (B, T, 3, H, D)
             Tensor heads = five.permute(2, 0, 3, 1, 4);                       // (3, B, H, T, D)
             Tensor q = heads.select(0, 0); Tensor k = heads.select(0, 1); Tensor v = heads.select(0, 2);
             Tensor o = Functional.scaledDotProductAttention(q, k, v, false, (float) (1.0 / Math.sqrt(headDim)));
             Tensor merged = MultiHeadAttention.mergeHeads(o)) {                 // (B, T, C)
            return proj.get().forward(merged);
        }
    }

    public Layer qkv() {
        return qkv.get();
    }

    public Layer proj() {
        return proj.get();
    }
}
