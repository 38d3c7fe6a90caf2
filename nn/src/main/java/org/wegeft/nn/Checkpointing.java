package org.wegeft.nn;

import java.util.List;
import java.util.function.BiFunction;
import org.wegeft.tensor.CheckpointKeep;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** Gradient checkpointing of a model's blocks, one block at a time. */
public final class Checkpointing {
    private Checkpointing() {
    }

    /**
     * {@code forward(x, constants)} of {@code block} through {@link Functional#checkpoint}: the block's trainable
     * parameters are the leaves, and its stochastic modules are rewound before the recomputation, which then draws
     * the forward's masks again.
     * @param forward   the block's forward, reading only {@code constants} besides its input
     * @param constants tensors the forward reads that need no gradient (kept until backward)
     */
    public static Tensor block(Module block, BiFunction<Tensor, List<Tensor>, Tensor> forward, Tensor x,
            List<Tensor> constants, CheckpointKeep keep) {
        List<Tensor> params = block.trainableParameters().values().stream().toList();
        Runnable rewind = Stochastic.rewinder(block);
        return Functional.checkpoint((h, cs) -> {
            rewind.run();
            return forward.apply(h, cs);
        }, x, constants, params, keep);
    }
}
