package org.wegeft.vision.hf;

import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * ViT's one-Linear modules: a child "dense" and, for {@code intermediate}, the activation after it
 * ({@code attention.output}, {@code intermediate}, {@code output}).
 */
final class Dense extends Module implements Layer {
    private final Slot<Layer> dense;
    private final @Nullable Layer act;

    Dense(int in, int out, @Nullable Layer act, RandomGenerator rng) {
        this.dense = registerModule("dense", Layer.class, new Linear(in, out, true, rng));
        this.act = act;
    }

    // x: (B, T, in) → (B, T, out)
    @Override
    public Tensor forward(Tensor x) {
        return act == null ? dense.get().forward(x) : TensorScope.call(() -> act.forward(dense.get().forward(x)));
    }
}
