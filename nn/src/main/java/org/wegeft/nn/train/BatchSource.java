package org.wegeft.nn.train;

import java.util.Iterator;
import java.util.function.Function;

/**
 * Where the {@link Trainer} gets its (micro-)batches: one iterator per epoch, shuffled by the seed given, so a
 * fixed seed replays the same order. Tensors in a batch should be created lazily by the iterator's
 * {@code next()}: the trainer calls it inside the step's {@link org.wegeft.tensor.TensorScope}, which closes them.
 *
 * @param <B> the batch type
 */
public interface BatchSource<B> {
    /** The batches of epoch {@code epoch} (0-based), ordered by {@code seed}. */
    Iterator<B> epoch(int epoch, long seed);

    /** Batches per epoch, or -1 when unknown (then train by steps, not epochs). */
    default long batchesPerEpoch() {
        return -1;
    }

    /** Samples in a batch, for the throughput shown (1 when unknown). */
    default long samples(B batch) {
        return 1;
    }

    /**
     * {@code items} converted one at a time in {@code next()}, so that the tensors {@code convert} makes belong to
     * the step that asked for them.
     */
    static <A, T> Iterator<T> converting(Iterator<A> items, Function<? super A, ? extends T> convert) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return items.hasNext();
            }

            @Override
            public T next() {
                return convert.apply(items.next());
            }
        };
    }
}
