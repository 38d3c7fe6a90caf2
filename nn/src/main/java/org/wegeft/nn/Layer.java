package org.wegeft.nn;

import org.wegeft.tensor.Tensor;

/**
 * A module with one input and one output (Linear, norms, activations, and the adapters that wrap a
 * Linear). Containers hold their replaceable children as {@code Slot<Layer>} so that an adapter can take
 * a Linear's place ({@link Module#replace}).
 */
public interface Layer {
    Tensor forward(Tensor x);
}
