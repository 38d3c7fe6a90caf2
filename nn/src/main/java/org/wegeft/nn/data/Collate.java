package org.wegeft.nn.data;

import java.util.List;

/**
 * Turns the samples of one batch (in batch order) into the batch. Runs on a worker thread: it should build plain
 * arrays, not tensors (tensors belong to the consumer's {@link org.wegeft.tensor.TensorScope}).
 *
 * @param <S> the sample type
 * @param <B> the batch type
 */
@FunctionalInterface
public interface Collate<S, B> {
    B collate(List<S> samples);
}
