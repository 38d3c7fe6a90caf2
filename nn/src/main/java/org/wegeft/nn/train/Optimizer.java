package org.wegeft.nn.train;

import java.util.List;
import java.util.Map;
import org.wegeft.tensor.Tensor;

/**
 * Updates parameters in place from their gradients. State (moments, momentum buffers) is allocated lazily,
 * only for parameters that receive a gradient: frozen parameters never get any.
 */
public sealed interface Optimizer extends AutoCloseable permits AdamW, SGD {
    List<ParamGroup> groups();

    /** The base learning rate (before each group's scale); schedules set it before every step. */
    double learningRate();

    void setLearningRate(double lr);

    /** One update of every parameter that requires grad and has a gradient. */
    void step();

    /** Drops every parameter's gradient (set to none, as torch's {@code zero_grad(set_to_none=True)}). */
    void zeroGrad();

    /** Bytes of optimizer state currently allocated. */
    long stateBytes();

    /** The state by parameter name; {@code names} maps each parameter (by identity) to its name. */
    OptimizerState state(Map<Tensor, String> names);

    /** Restores state saved by {@link #state}; {@code params} maps names to this optimizer's parameters. */
    void loadState(OptimizerState state, Map<String, Tensor> params);

    /** Frees the state. */
    @Override
    void close();
}
