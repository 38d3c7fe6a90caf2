package org.wegeft.nn.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.train.BatchSource;

/**
 * Batches of a data set of {@code size} samples: a seeded, epoch-dependent permutation (or index order), cut into
 * batches of {@link LoaderOptions#batchSize}, each batch read by a {@link SampleReader} and assembled by a
 * {@link Collate} on one of {@link LoaderOptions#workers} background threads.
 *
 * <pre>
 *   order = permutation(seed, epoch)         batch k = collate(read(order[k·bs + j], sampleSeed(seed, epoch, i)))
 *   consumer ── next() ──▶ [ future k | future k+1 | … | future k+prefetch-1 ] ◀── workers
 * </pre>
 *
 * Batches are submitted in order and handed out in order, so the sequence of batches depends on the seed and
 * epoch only, never on worker timing. At most {@code prefetch} batches are in flight (submitted but not yet
 * returned by {@code next()}), which bounds memory. A worker's exception reaches the consumer as a
 * {@link DataLoaderException} whose cause is the original exception. {@link #close} stops and joins the workers.
 *
 * @param <B> the batch type
 */
public final class DataLoader<B> implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final int size;
    private final LoaderOptions opts;
    private final BatchTask<B> task;
    private final int shardRank;
    private final int shardCount;
    private final String threadPrefix = "wegeft-data-" + IDS.incrementAndGet() + "-";
    private final List<Thread> threads = new ArrayList<>();
    private final @Nullable ExecutorService pool;
    private volatile boolean closed;

    private interface BatchTask<B> {
        B run(int[] indices, long epochSeed);
    }

    private DataLoader(int size, LoaderOptions opts, BatchTask<B> task, int shardRank, int shardCount) {
        this.size = size;
        this.opts = opts;
        this.task = task;
        this.shardRank = shardRank;
        this.shardCount = shardCount;
        if (opts.workers() > 0) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, threadPrefix + n.getAndIncrement());
                t.setDaemon(true);
                synchronized (threads) {
                    threads.add(t);
                }
                return t;
            };
            this.pool = Executors.newFixedThreadPool(opts.workers(), tf);
        } else {
            this.pool = null;
        }
    }

    /**
     * A loader over samples {@code 0 .. size-1}; {@code readers} makes one {@link SampleReader} per worker thread
     * (and one for the caller's thread when {@code workers} is 0).
     */
    public static <S, B> DataLoader<B> create(int size, Supplier<? extends SampleReader<S>> readers,
            Collate<S, B> collate, LoaderOptions opts) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, got " + size);
        }
        ThreadLocal<SampleReader<S>> perThread = ThreadLocal.withInitial(readers::get);
        return new DataLoader<>(size, opts, (indices, epochSeed) -> {
            SampleReader<S> reader = perThread.get();
            List<S> samples = new ArrayList<>(indices.length);
            for (int idx : indices) {
                samples.add(reader.read(idx, sampleSeed(epochSeed, idx)));
            }
            return collate.collate(samples);
        }, 0, 1);
    }

    /**
     * The share of data-parallel replica {@code rank} of {@code count}: the same batches in the same order
     * (same seed), each cut to its {@code rank}-th of {@code count} equal slices, so the replicas together read every
     * batch once and the mean of their mean losses is the whole batch's mean loss. Sample seeds are those of the
     * whole loader (augmentations match a single-process run). Needs {@code batchSize % count == 0}; a short last
     * batch (without {@code dropLast}) is cut as evenly as it goes. The shard has its own worker threads; close it
     * too.
     */
    public DataLoader<B> shard(int rank, int count) {
        if (count < 1 || rank < 0 || rank >= count) {
            throw new IllegalArgumentException("shard: rank " + rank + " of " + count + " replicas");
        }
        if (shardCount != 1) {
            throw new IllegalStateException("shard: this loader is already shard " + shardRank + " of " + shardCount);
        }
        if (opts.batchSize() % count != 0) {
            throw new IllegalArgumentException("shard: batch size " + opts.batchSize() + " is not a multiple of "
                    + count + " replicas");
        }
        return new DataLoader<>(size, opts, task, rank, count);
    }

    public int size() {
        return size;
    }

    public LoaderOptions options() {
        return opts;
    }

    /** Batches per epoch. */
    public long batchesPerEpoch() {
        return opts.dropLast() ? size / opts.batchSize() : (size + opts.batchSize() - 1) / opts.batchSize();
    }

    /** The sample order of {@code epoch} under {@code seed}: a permutation when shuffling, else 0..size-1. */
    public int[] order(int epoch, long seed) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        if (opts.shuffle()) {
            SplittableRandom rng = new SplittableRandom(epochSeed(seed, epoch));
            for (int i = size - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
        return p;
    }

    /** The batches of {@code epoch} with the loader's seed. */
    public EpochIterator<B> epoch(int epoch) {
        return epoch(epoch, opts.seed());
    }

    /** The batches of {@code epoch} under {@code seed}; close it to cancel the batches still in flight. */
    public EpochIterator<B> epoch(int epoch, long seed) {
        if (closed) {
            throw new IllegalStateException("DataLoader is closed");
        }
        return new EpochIterator<>(this, order(epoch, seed), epochSeed(seed, epoch), epoch);
    }

    /**
     * This loader as the {@link org.wegeft.nn.train.Trainer}'s batch source. {@code toTrainerBatch} runs on the
     * trainer's thread inside its step scope (make tensors there); {@code samples} counts a batch's samples.
     * Starting an epoch cancels what is left of the previous one. The source is {@link AutoCloseable}: closing it
     * closes this loader too.
     */
    public <T> BatchSource<T> asBatchSource(Function<? super B, ? extends T> toTrainerBatch,
            ToLongFunction<? super T> samples) {
        return new LoaderBatchSource<>(this, toTrainerBatch, samples);
    }

    /** Seed of one epoch: SplitMix64 of (seed, epoch). */
    static long epochSeed(long seed, int epoch) {
        return mix(mix(seed) ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
    }

    /** Seed of one sample in an epoch: depends on (epoch seed, sample index) only. */
    static long sampleSeed(long epochSeed, int index) {
        return mix(epochSeed + 0xBF58476D1CE4E5B9L * (index + 1L));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    String threadNamePrefix() {
        return threadPrefix;
    }

    /** Stops the workers (interrupting batches in progress) and waits for their threads to end. */
    @Override
    public void close() {
        closed = true;
        if (pool == null) {
            return;
        }
        pool.shutdownNow();
        List<Thread> ts;
        synchronized (threads) {
            ts = List.copyOf(threads);
        }
        boolean interrupted = false;
        for (Thread t : ts) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The batches of one epoch, in order. Keeps at most {@code prefetch} batches in flight; {@link #close} cancels
     * them.
     */
    public static final class EpochIterator<B> implements Iterator<B>, AutoCloseable {
        private final DataLoader<B> loader;
        private final int[] order;
        private final long epochSeed;
        private final int epoch;
        private final long batches;
        private final ArrayDeque<Future<B>> inFlight = new ArrayDeque<>();
        private long submitted;
        private long returned;

        private EpochIterator(DataLoader<B> loader, int[] order, long epochSeed, int epoch) {
            this.loader = loader;
            this.order = order;
            this.epochSeed = epochSeed;
            this.epoch = epoch;
            this.batches = loader.batchesPerEpoch();
            if (loader.pool != null) {
                while (submitted < batches && inFlight.size() < loader.opts.prefetch()) {
                    submitNext();
                }
            }
        }

        private int[] indices(long k) {
            int bs = loader.opts.batchSize();
            int from = (int) (k * bs);
            int n = Math.min(order.length, from + bs) - from;
            int r = loader.shardRank;
            int c = loader.shardCount;
            return java.util.Arrays.copyOfRange(order, from + (int) ((long) n * r / c),
                    from + (int) ((long) n * (r + 1) / c));
        }

        private void submitNext() {
            int[] idx = indices(submitted++);
            inFlight.add(loader.pool.submit(() -> loader.task.run(idx, epochSeed)));
        }

        @Override
        public boolean hasNext() {
            return returned < batches;
        }

        @Override
        public B next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has " + batches + " batches");
            }
            if (loader.closed) {
                throw new IllegalStateException("DataLoader is closed");
            }
            long k = returned++;
            if (loader.pool == null) {
                try {
                    return loader.task.run(indices(k), epochSeed);
                } catch (RuntimeException | Error e) {
                    throw new DataLoaderException("batch " + k + " of epoch " + epoch + " failed: " + e, e);
                }
            }
            Future<B> head = inFlight.poll();
            if (submitted < batches) {
                submitNext();
            }
            try {
                return head.get();
            } catch (ExecutionException e) {
                close();
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new DataLoaderException("batch " + k + " of epoch " + epoch + " failed: " + cause, cause);
            } catch (CancellationException e) {
                throw new IllegalStateException("batch " + k + " of epoch " + epoch + " was cancelled", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new DataLoaderException("interrupted waiting for batch " + k + " of epoch " + epoch, e);
            }
        }

        /** Batches submitted to the workers and not yet returned by {@link #next()}. */
        public int inFlight() {
            return inFlight.size();
        }

        /** Cancels the batches still in flight. */
        @Override
        public void close() {
            for (Future<B> f : inFlight) {
                f.cancel(true);
            }
            inFlight.clear();
            returned = batches;
        }
    }
}
