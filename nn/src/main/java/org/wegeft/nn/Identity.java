package org.wegeft.nn;

import org.wegeft.tensor.Tensor;

/** Returns its input (as a new view the caller owns; gradients flow through). */
public final class Identity extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.reshape(x.shape());
    }
}
