package org.wegeft.llm.data;

import org.wegeft.tensor.Tensor;

/**
 * A batch as tensors, each {@code (B, T)} I32: input ids, labels aligned with the ids (−100 where not predicted),
 * attention mask, and {@code targets}, the labels shifted left by one, so the causal-LM loss is simply
 * {@code crossEntropy(logits.view(B·T, V), targets.view(B·T))} with ignore index −100.
 *
 * <p>{@code lossScale} multiplies the batch's mean loss: 1 for a whole batch; for one replica's share of a batch,
 * {@code replicas × shareTokens / batchTokens}, so that the mean over the replicas of their scaled losses (and
 * gradients) is the whole batch's mean over its predicted tokens ({@link LmBatchSource#shard}).
 */
public record LmBatch(Tensor inputIds, Tensor labels, Tensor attentionMask, Tensor targets, double lossScale)
        implements AutoCloseable {
    /** A whole batch (loss scale 1). */
    public LmBatch(Tensor inputIds, Tensor labels, Tensor attentionMask, Tensor targets) {
        this(inputIds, labels, attentionMask, targets, 1.0);
    }

    public int batchSize() {
        return (int) inputIds.size(0);
    }

    @Override
    public void close() {
        inputIds.close();
        labels.close();
        attentionMask.close();
        targets.close();
    }
}
