package org.wegeft.nn.data;

import java.util.Iterator;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.train.BatchSource;

/**
 * {@link DataLoader#asBatchSource}: the trainer's batches, converted on the trainer's thread; closing it stops the
 * loader (a runner that owns the source, such as a data-parallel replica, closes it after the run).
 */
final class LoaderBatchSource<B, T> implements BatchSource<T>, AutoCloseable {
    private final DataLoader<B> loader;
    private final Function<? super B, ? extends T> convert;
    private final ToLongFunction<? super T> samples;
    private DataLoader.@Nullable EpochIterator<B> current;

    LoaderBatchSource(DataLoader<B> loader, Function<? super B, ? extends T> convert,
            ToLongFunction<? super T> samples) {
        this.loader = loader;
        this.convert = convert;
        this.samples = samples;
    }

    @Override
    public Iterator<T> epoch(int epoch, long seed) {
        if (current != null) {
            current.close();
        }
        DataLoader.EpochIterator<B> it = loader.epoch(epoch, seed);
        current = it;
        return BatchSource.converting(it, convert);
    }

    @Override
    public long batchesPerEpoch() {
        return loader.batchesPerEpoch();
    }

    @Override
    public long samples(T batch) {
        return samples.applyAsLong(batch);
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
            current = null;
        }
        loader.close();
    }
}
