package org.wegeft.vision;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Layer;
import org.wegeft.nn.LayerNorm;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;

/** timm's pre-norm ViT {@code Block}: "norm1", "attn", "norm2", "mlp", with stochastic depth on both branches. */
public final class VitBlock extends Module {
    private final Slot<Layer> norm1;
    private final Slot<VitAttention> attn;
    private final Slot<Layer> norm2;
    private final Slot<Layer> mlp;
    private final Slot<DropPath> dropPath1;
    private final Slot<DropPath> dropPath2;

    public VitBlock(int dim, int numHeads, int mlpHidden, boolean qkvBias, float eps, float dropPath,
            RandomGenerator.SplittableGenerator rng) {
        this.norm1 = registerModule("norm1", Layer.class, new LayerNorm(dim, eps, true));
        this.attn = registerModule("attn", new VitAttention(dim, numHeads, qkvBias, rng));
        this.norm2 = registerModule("norm2", Layer.class, new LayerNorm(dim, eps, true));
        this.mlp = registerModule("mlp", Layer.class, new VitMlp(dim, mlpHidden, rng));
        this.dropPath1 = registerModule("drop_path1", new DropPath(dropPath, rng.split()));
        this.dropPath2 = registerModule("drop_path2", new DropPath(dropPath, rng.split()));
    }

    // x: (B, T, C) → (B, T, C)
    public Tensor forward(Tensor x) {
        Tensor h;
        try (Tensor n = norm1.get().forward(x); Tensor a = attn.get().forward(n); Tensor d = dropPath1.get().forward(a)) {
            h = x.add(d);                           // x = x + dropPath(attn(norm1(x)))
        }
        try (h; Tensor n = norm2.get().forward(h); Tensor m = mlp.get().forward(n);
             Tensor d = dropPath2.get().forward(m)) {
            return h.add(d);                        // x = x + dropPath(mlp(norm2(x)))
        }
    }

    public VitAttention attn() {
        return attn.get();
    }

    /** The stochastic-depth rate of this block. */
    public float dropPathRate() {
        return dropPath1.get().p();
    }
}
