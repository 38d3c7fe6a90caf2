package org.wegeft.vision;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * timm's ViT {@code Attention}: a fused "qkv" Linear (C → 3C), softmax(q·kᵀ·head_dim^-0.5)·v per head, and a
 * "proj" Linear (C → C). Both are {@code Slot<Layer>} so an adapter can stand in for either.
 *
 * <pre>
 *   x (B, T, C) ─ qkv ─▶ (B, T, 3, H, D) ─ attention per head, read in place ─▶ (B, T, H·D) ─ proj ─▶ (B, T, C)
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
        // the kernel reads q, k, v where the fused projection wrote them, (B, T, 3, H, D), and writes the merged heads
        return TensorScope.call(() -> proj.get().forward(Functional.packedQkvAttention(
                qkv.get().forward(x), numHeads, false, (float) (1.0 / Math.sqrt(headDim)))));   // (B, T, 3C) → (B, T, C)
    }

    public Layer qkv() {
        return qkv.get();
    }

    public Layer proj() {
        return proj.get();
    }
}
