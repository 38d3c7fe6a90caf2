package org.wegeft.peft.toy;

import org.wegeft.nn.Linear;
import org.wegeft.peft.AdapterWeight;
import org.wegeft.peft.TunerLayer;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** y = x Wᵀ + b + s·(x Wᵀ) ⊙ l: each output scaled by its own trainable factor, l = {@code toy_l} (d_out, 1). */
public final class OutputScaleLinear extends TunerLayer {
    private final AdapterWeight l;
    private final float scale;

    OutputScaleLinear(Linear base, AdapterWeight l, float scale) {
        super(base);
        this.l = registerModule("toy_l", l).get();
        this.scale = scale;
    }

    @Override
    protected Tensor adaptedForward(Tensor x) {
        try (Tensor y = baseLayer().forward(x); Tensor z = Functional.linear(x, baseLayer().weight(), null);
             Tensor lv = l.weight().reshape(-1); Tensor zl = z.mul(lv); Tensor s = zl.mul(scale)) {
            return y.add(s);
        }
    }

    @Override
    public Tensor deltaWeight() {
        return OutputScaleMethod.deltaW(baseLayer().weight(), l.weight(), scale);
    }
}
