package org.wegeft.nn.train;

import java.util.List;
import org.wegeft.tensor.Tensor;

/**
 * Called by the {@link Trainer} once per optimizer step, after every micro-batch's backward and before the
 * gradient norm, clipping and the optimizer step: the place where data-parallel replicas average their gradients
 * (in place, through {@link Tensor#grad()} / {@link Tensor#setGrad}). The loss it returns is what the step records
 * (progress, metrics, {@link TrainResult#losses()}), e.g. the mean over replicas.
 */
@FunctionalInterface
public interface GradientHook {
    /**
     * @param step      the 0-based optimizer step about to be taken
     * @param trainable the trainable parameters, in the model's (deterministic) registration order
     * @param loss      this process's loss of the step (mean over its micro-batches)
     * @return the loss to record for the step
     */
    float afterBackward(long step, List<Tensor> trainable, float loss);

    /**
     * Called before the step's last backward (the last micro-batch's), after which every gradient of the step is
     * final: a hook that overlaps its work with that backward (e.g. through {@link Tensor#onGradReady}) prepares
     * here. The default does nothing.
     *
     * @param step      the 0-based optimizer step
     * @param trainable the trainable parameters, as {@link #afterBackward} gets them
     */
    default void beforeLastBackward(long step, List<Tensor> trainable) {
    }
}
