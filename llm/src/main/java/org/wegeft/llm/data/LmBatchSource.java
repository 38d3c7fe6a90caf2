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
 */
public final class LmBatchSource implements BatchSource<LmBatch> {
    private final List<Example> examples;
    private final int batchSize;
    private final int padId;
    private final boolean shuffle;
    private final int dropped;

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
        List<Example> order = new ArrayList<>(examples);
        if (shuffle) {
            Collections.shuffle(order, new Random(seed + epoch));
        }
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < order.size(); i += batchSize) {
            out.add(Batch.collate(order.subList(i, Math.min(order.size(), i + batchSize)), padId));
        }
        return out;
    }

    @Override
    public Iterator<LmBatch> epoch(int epoch, long seed) {
        return BatchSource.converting(batches(epoch, seed).iterator(), Batch::toTensors);
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
