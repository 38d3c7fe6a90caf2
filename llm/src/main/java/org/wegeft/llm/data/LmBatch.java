package org.wegeft.llm.data;

import org.wegeft.tensor.Tensor;

/**
 * A batch as tensors: input ids, labels and attention mask, each {@code (B, T)} I32.
 * Labels are aligned with the ids (the loss shifts them), −100 where not predicted.
 */
public record LmBatch(Tensor inputIds, Tensor labels, Tensor attentionMask) implements AutoCloseable {
    public int batchSize() {
        return (int) inputIds.size(0);
    }

    @Override
    public void close() {
        inputIds.close();
        labels.close();
        attentionMask.close();
    }
}
