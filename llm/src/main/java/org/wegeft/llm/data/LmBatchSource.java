package org.wegeft.llm.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.wegeft.nn.train.BatchSource;

/**
 * Batches of examples for the {@link org.wegeft.nn.train.Trainer}: shuffled per epoch by {@code seed + epoch}
 * (when {@code shuffle}), right-padded, the last batch possibly smaller. Tensors are made in {@code next()}, so
 * the trainer's step scope owns them. Examples with no predicted token (e.g. a prompt longer than the maximum
 * length) are left out when the source is made.
 *
 * <p>{@link #shard} cuts every batch for data-parallel replicas: each replica reads the same batches in the same
 * order and keeps its own rows, its loss scaled so that the replicas' mean is the whole batch's loss.
 */
public final class LmBatchSource implements BatchSource<LmBatch> {
    private final List<Example> examples;
    private final int batchSize;
    private final int padId;
    private final boolean shuffle;
    private final int dropped;
    private final int replica;
    private final int replicas;

    public LmBatchSource(List<Example> examples, int batchSize, int padId, boolean shuffle) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        }
        List<Example> kept = new ArrayList<>(examples.size());
        for (Example e : examples) {
            if (e.predictedTokens() > 0) {
                kept.add(e);
            }
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("no example has a token to predict (" + examples.size()
                    + " examples; is --max-length shorter than the prompts?)");
        }
        this.examples = List.copyOf(kept);
        this.batchSize = batchSize;
        this.padId = padId;
        this.shuffle = shuffle;
        this.dropped = examples.size() - kept.size();
        this.replica = 0;
        this.replicas = 1;
    }

    private LmBatchSource(LmBatchSource whole, int replica, int replicas) {
        this.examples = whole.examples;
        this.batchSize = whole.batchSize;
        this.padId = whole.padId;
        this.shuffle = whole.shuffle;
        this.dropped = whole.dropped;
        this.replica = replica;
        this.replicas = replicas;
    }

    /**
     * Replica {@code replica}'s share of every batch, of {@code replicas}: the same batches in the same order, each
     * cut into {@code replicas} runs of consecutive rows as equal as can be (the first ones a row longer), this
     * replica keeping run number {@code replica}. Its loss is scaled by {@code replicas × shareTokens / batchTokens}
     * (predicted tokens), so the mean of the replicas' losses and gradients is the whole batch's mean over its tokens,
     * as one process computes it.
     *
     * @throws IllegalArgumentException when some batch has fewer rows than {@code replicas} (a replica would get none)
     */
    public LmBatchSource shard(int replica, int replicas) {
        if (replicas < 1 || replica < 0 || replica >= replicas) {
            throw new IllegalArgumentException("shard " + replica + " of " + replicas);
        }
        if (this.replicas != 1) {
            throw new IllegalStateException("this source is already a shard");
        }
        int last = examples.size() % batchSize == 0 ? batchSize : examples.size() % batchSize;
        int smallest = Math.min(batchSize, last);
        if (smallest < replicas) {
            throw new IllegalArgumentException("--replicas " + replicas + ": a batch of " + smallest + " example(s)"
                    + " (--batch " + batchSize + ", " + examples.size() + " examples) leaves a replica without rows;"
                    + " use fewer replicas or a batch size that divides the examples");
        }
        return new LmBatchSource(this, replica, replicas);
    }

    /** Examples left out because they had no token to predict. */
    public int dropped() {
        return dropped;
    }

    public int size() {
        return examples.size();
    }

    /** The padded int batches of one epoch, in order. */
    public List<Batch> batches(int epoch, long seed) {
        List<Example> order = ordered(epoch, seed);
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < order.size(); i += batchSize) {
            out.add(Batch.collate(order.subList(i, Math.min(order.size(), i + batchSize)), padId));
        }
        return out;
    }

    @Override
    public Iterator<LmBatch> epoch(int epoch, long seed) {
        if (replicas == 1) {
            return BatchSource.converting(batches(epoch, seed).iterator(), Batch::toTensors);
        }
        List<Example> order = ordered(epoch, seed);
        List<Share> mine = new ArrayList<>();
        for (int i = 0; i < order.size(); i += batchSize) {
            List<Example> rows = order.subList(i, Math.min(order.size(), i + batchSize));
            int n = rows.size();
            List<Example> share = rows.subList(replica * n / replicas, (replica + 1) * n / replicas);
            mine.add(new Share(Batch.collate(share, padId),
                    (double) replicas * predictedTokens(share) / predictedTokens(rows)));
        }
        return BatchSource.converting(mine.iterator(), s -> s.batch().toTensors(s.lossScale()));
    }

    /** One replica's rows of a batch and the scale of their loss. */
    private record Share(Batch batch, double lossScale) {
    }

    private static long predictedTokens(List<Example> rows) {
        long n = 0;
        for (Example e : rows) {
            n += e.predictedTokens();
        }
        return n;
    }

    /** The examples in epoch {@code epoch}'s order. */
    private List<Example> ordered(int epoch, long seed) {
        List<Example> order = new ArrayList<>(examples);
        if (shuffle) {
            Collections.shuffle(order, new Random(seed + epoch));
        }
        return order;
    }

    @Override
    public long batchesPerEpoch() {
        return (examples.size() + batchSize - 1) / batchSize;
    }

    @Override
    public long samples(LmBatch batch) {
        return batch.batchSize();
    }
}
