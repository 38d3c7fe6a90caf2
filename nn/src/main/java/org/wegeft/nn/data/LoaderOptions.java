package org.wegeft.nn.data;

/**
 * How a {@link DataLoader} batches: {@code batchSize} samples per batch, shuffled (from {@code seed} and the
 * epoch) or in index order, the last short batch dropped or kept, produced on {@code workers} background threads
 * (0: on the caller's thread) with at most {@code prefetch} batches in flight.
 */
public record LoaderOptions(int batchSize, boolean shuffle, boolean dropLast, int workers, int prefetch, long seed) {
    public LoaderOptions {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0, got " + workers);
        }
        if (prefetch <= 0) {
            throw new IllegalArgumentException("prefetch must be positive, got " + prefetch);
        }
    }

    /** Training defaults: shuffled, last short batch dropped, 2 workers, 4 batches prefetched. */
    public static LoaderOptions train(int batchSize, long seed) {
        return new LoaderOptions(batchSize, true, true, 2, 4, seed);
    }

    /** Evaluation defaults: index order, every sample, 2 workers, 4 batches prefetched. */
    public static LoaderOptions eval(int batchSize) {
        return new LoaderOptions(batchSize, false, false, 2, 4, 0);
    }

    public LoaderOptions withWorkers(int n) {
        return new LoaderOptions(batchSize, shuffle, dropLast, n, prefetch, seed);
    }

    public LoaderOptions withPrefetch(int n) {
        return new LoaderOptions(batchSize, shuffle, dropLast, workers, n, seed);
    }
}
