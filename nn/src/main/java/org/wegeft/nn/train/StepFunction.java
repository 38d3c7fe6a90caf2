package org.wegeft.nn.train;

import org.wegeft.nn.Module;
import org.wegeft.tensor.Tensor;

/** The training objective: the scalar loss of {@code model} on one (micro-)batch, with autograd recording. */
@FunctionalInterface
public interface StepFunction<B> {
    Tensor loss(Module model, B batch);
}
