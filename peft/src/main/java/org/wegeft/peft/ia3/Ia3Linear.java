package org.wegeft.peft.ia3;

import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Param;
import org.wegeft.peft.TunerLayer;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * (IA)³ on a frozen Linear, Hugging Face PEFT semantics: a trained vector {@code ia3_l} rescales the layer's input,
 * {@code y = (x ⊙ l) Wᵀ + b} with l (1, d_in), for a feed-forward module, and its output otherwise,
 * {@code y = (x Wᵀ + b) ⊙ l} with l (d_out, 1), the bias included.
 */
public final class Ia3Linear extends TunerLayer {
    private final Param scale;
    private final boolean feedforward;

    /** @param l (1, d_in) when {@code feedforward}, else (d_out, 1) */
    public Ia3Linear(Linear base, Tensor l, boolean feedforward) {
        super(base);
        this.feedforward = feedforward;
        this.scale = registerParameter("ia3_l", l);
    }

    public Tensor l() {
        return scale.get();
    }

    public boolean isFeedforward() {
        return feedforward;
    }

    /** x: (..., d_in) → (..., d_out). */
    @Override
    protected Tensor adaptedForward(Tensor x) {
        Linear base = baseLayer();
        if (feedforward) {
            try (Tensor l = scale.get().view(base.inFeatures()); Tensor xs = x.mul(l)) {
                return base.forward(xs);
            }
        }
        try (Tensor l = scale.get().view(base.outFeatures()); Tensor y = base.forward(x)) {
            return y.mul(l);
        }
    }

    @Override
    public Tensor deltaWeight() {
        return Ia3Method.deltaW(baseLayer().weight(), scale.get());
    }

    @Override
    public @Nullable Tensor mergedBias() {
        Tensor b = baseLayer().bias();
        if (feedforward || b == null) {
            return null;
        }
        try (var g = Grad.disabled()) {
            return Ia3Method.scaledBias(b, scale.get());
        }
    }
}
