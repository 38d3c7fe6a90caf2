package org.wegeft.tensor;

/**
 * What a gradient checkpoint keeps from its forward pass instead of recomputing it in backward
 * ({@link Functional#checkpoint(java.util.function.BiFunction, Tensor, java.util.List, java.util.List, CheckpointKeep)};
 * PyTorch calls this selective activation checkpointing). The recomputation still builds every graph node; an op
 * whose output was kept only skips its kernel.
 */
public enum CheckpointKeep {
    /** Keep only the input: recompute everything (plain checkpointing, the least memory). */
    NOTHING,
    /**
     * Also keep the outputs of attention (the output and its per-row log-sum-exp) and of linear layers that narrow
     * their input to at most half its width (an MLP's down projection): the kernels with the most work per kept
     * byte. On a pre-norm Transformer block this keeps two activations of the block's width (about twice its
     * input) and leaves the widening products (q/k/v, the MLP's up projection), the norms and activations to the
     * recomputation.
     */
    ATTENTION_AND_DOWN_PROJECTIONS
}
