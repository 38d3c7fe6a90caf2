package org.wegeft.vision.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.DropPath;

/**
 * The pre-norm Transformer layer every Hugging Face vision family shares, its children under the family's names:
 * ViT's {@code layernorm_before, attention, layernorm_after, intermediate, output}, DINOv2's
 * {@code norm1, attention, layer_scale1, norm2, mlp, layer_scale2}, CLIP / SigLIP's
 * {@code layer_norm1, self_attn, layer_norm2, mlp}.
 *
 * <pre>
 *   h   = x + drop(scale1(attention(norm1(x))))
 *   out = h + drop(scale2(mlp(norm2(h))))          mlp: one module, or ViT's intermediate then output
 * </pre>
 */
public final class EncoderLayer extends Module {
    /** A child and its name. */
    public record Part(String name, Layer layer) {}

    private final Slot<Layer> norm1;
    private final Slot<Layer> attention;
    private final @Nullable Slot<Layer> scale1;
    private final Slot<Layer> norm2;
    private final List<Slot<Layer>> mlp = new ArrayList<>();
    private final @Nullable Slot<Layer> scale2;
    private final @Nullable DropPath dropPath;

    /**
     * @param scale1   layer scale after attention (null: none)
     * @param mlp      the feed-forward, applied in order
     * @param dropPath stochastic depth of both residual branches (0: none)
     */
    public EncoderLayer(Part norm1, Part attention, @Nullable Part scale1, Part norm2, List<Part> mlp,
            @Nullable Part scale2, float dropPath, RandomGenerator rng) {
        this.norm1 = slot(norm1);
        this.attention = slot(attention);
        this.scale1 = scale1 == null ? null : slot(scale1);
        this.norm2 = slot(norm2);
        mlp.forEach(p -> this.mlp.add(slot(p)));
        this.scale2 = scale2 == null ? null : slot(scale2);
        this.dropPath = dropPath > 0 ? registerModule("drop_path", new DropPath(dropPath, rng)).get() : null;
    }

    private Slot<Layer> slot(Part p) {
        return registerModule(p.name(), Layer.class, p.layer());
    }

    // x: (B, T, C) → (B, T, C)
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> {
            Tensor h = x.add(branch(attention.get().call(norm1.get().call(x)), scale1));   // x + attention(norm1(x))
            Tensor m = norm2.get().call(h);
            for (Slot<Layer> part : mlp) {
                m = part.get().call(m);
            }
            return h.add(branch(m, scale2));                                              // h + mlp(norm2(h))
        });
    }

    // a residual branch's layer scale and stochastic depth
    private Tensor branch(Tensor y, @Nullable Slot<Layer> scale) {
        Tensor s = scale == null ? y : scale.get().call(y);
        return dropPath == null ? s : dropPath.call(s);
    }
}
