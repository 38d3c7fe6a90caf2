package org.wegeft.nn.train;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where a run stands, saved in a checkpoint's {@code trainer_state.json}: optimizer steps done, the epoch and
 * the micro-batches consumed in it, the seed that orders the batches, the schedule's position and rate, the
 * seed and draw position ({@code [seed, draws]}) of every {@link org.wegeft.nn.Stochastic} module's
 * generator (by module path) and the number
 * of steps skipped so far for a non-finite loss or gradient.
 */
public record TrainerState(long step, int epoch, long batchesIntoEpoch, long seed, long scheduleStep,
                           double learningRate, @Nullable Map<String, long[]> generators, long skippedSteps) {
    public TrainerState {
        generators = generators == null ? Map.of() : Map.copyOf(generators);
        generators.forEach((k, v) -> {
            if (v.length != 2) {
                throw new IllegalArgumentException("generator state of '" + k + "' must be [seed, draws]");
            }
        });
    }

    /** A state without generator positions or skipped steps. */
    public TrainerState(long step, int epoch, long batchesIntoEpoch, long seed, long scheduleStep,
                        double learningRate) {
        this(step, epoch, batchesIntoEpoch, seed, scheduleStep, learningRate, Map.of(), 0);
    }
}
