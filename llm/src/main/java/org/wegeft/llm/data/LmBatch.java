package org.wegeft.llm.data;

import org.wegeft.tensor.Tensor;

/**
 * A batch as tensors, each {@code (B, T)} I32: input ids, labels aligned with the ids (−100 where not predicted),
 * attention mask, and {@code targets}, the labels shifted left by one, so the causal-LM loss is simply
 * {@code crossEntropy(logits.view(B·T, V), targets.view(B·T))} with ignore index −100.
 */
public record LmBatch(Tensor inputIds, Tensor labels, Tensor attentionMask, Tensor targets) implements AutoCloseable {
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
