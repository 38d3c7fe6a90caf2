package org.wegeft.nn;

import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** torch {@code nn.GELU(approximate=...)}. */
public final class GELU extends Module implements Layer {
    /** torch's {@code approximate} argument: "none" (exact erf) or "tanh". */
    public enum Approximate { NONE, TANH }

    private final Approximate approximate;

    public GELU(Approximate approximate) {
        this.approximate = approximate;
    }

    public GELU() {
        this(Approximate.NONE);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.gelu(x, approximate == Approximate.TANH);
    }

    public Approximate approximate() {
        return approximate;
    }
}
