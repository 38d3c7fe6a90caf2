package org.wegeft.nn;

import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** x·sigmoid(x), torch {@code nn.SiLU}. */
public final class SiLU extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return Functional.silu(x);
    }
}
