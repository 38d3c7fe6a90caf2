package org.wegeft.nn;

import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * A module with one input and one output (Linear, norms, activations, and the adapters that wrap a
 * Linear). Containers hold their replaceable children as {@code Slot<Layer>} so that an adapter can take
 * a Linear's place ({@link Module#replace}).
 */
public interface Layer {
    Tensor forward(Tensor x);

    /**
     * {@link #forward} in a tensor scope of its own ({@link TensorScope#call}): the temporaries it makes are released
     * when it returns, and only the result outlives the call, in the caller's scope.
     */
    default Tensor call(Tensor x) {
        return TensorScope.call(() -> forward(x));
    }
}
