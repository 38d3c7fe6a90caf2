package org.wegeft.nn.train;

import java.util.Map;
import org.wegeft.tensor.Tensor;

/**
 * An optimizer's state by parameter name, for checkpoints: tensors under {@code <param>.<slot>} (e.g.
 * {@code head.weight.exp_avg}) and scalars as strings (e.g. {@code head.weight.step}). The tensors are the
 * optimizer's own (not copies).
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, String> scalars) {
    public OptimizerState {
        tensors = Map.copyOf(tensors);
        scalars = Map.copyOf(scalars);
    }
}
