package org.wegeft.vision;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Layer;
import org.wegeft.nn.LayerNorm;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

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
        return TensorScope.call(() -> {
            Tensor h = x.add(dropPath1.get().call(attn.get().forward(norm1.get().call(x))));   // x + attn(norm1(x))
            return h.add(dropPath2.get().call(mlp.get().call(norm2.get().call(h))));           // h + mlp(norm2(h))
        });
    }

    public VitAttention attn() {
        return attn.get();
    }

    /** The stochastic-depth rate of this block. */
    public float dropPathRate() {
        return dropPath1.get().p();
    }
}
