package org.wegeft.nn.train;

import java.util.Map;

/** What a {@link Trainer#run} produced: the mean loss of every optimizer step run, and the last evaluation. */
public record TrainResult(float[] losses, long steps, Map<String, Double> lastEval) {
    public TrainResult {
        losses = losses.clone();
        lastEval = Map.copyOf(lastEval);
    }

    @Override
    public float[] losses() {
        return losses.clone();
    }
}
