package org.wegeft.nn.train;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link Trainer} run. Length: {@code maxSteps} optimizer steps when > 0, else {@code epochs}
 * passes over a source of known length. Intervals of 0 turn the feature off. Build with {@link #steps} or
 * {@link #epochs} and the {@code with…} methods.
 *
 * @param maxGradNorm clip the total gradient norm to this (≤ 0: no clipping; the norm is still logged)
 * @param accumulation micro-batches per optimizer step (each loss scaled by 1/accumulation)
 * @param maxBadSteps stop with {@link TrainingDivergedException} after this many consecutive steps with a
 *                    non-finite loss or gradient norm (each such step is skipped: no optimizer update)
 */
public record TrainConfig(long maxSteps, int epochs, double lr, LrSchedule.Kind schedule, long warmupSteps,
                          double minLrRatio, double weightDecay, double maxGradNorm, int accumulation, long evalEvery,
                          long logEvery, long seed, @Nullable Path outputDir, long checkpointEvery,
                          int maxBadSteps) {
    /** Consecutive non-finite steps tolerated by default. */
    public static final int DEFAULT_MAX_BAD_STEPS = 5;

    public TrainConfig {
        if (maxSteps <= 0 && epochs <= 0) {
            throw new IllegalArgumentException("TrainConfig needs maxSteps > 0 or epochs > 0");
        }
        if (!(lr >= 0) || accumulation < 1 || warmupSteps < 0 || evalEvery < 0 || logEvery < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("TrainConfig: invalid lr " + lr + ", accumulation " + accumulation
                    + ", warmupSteps " + warmupSteps + " or an interval < 0");
        }
        if (maxBadSteps < 1) {
            throw new IllegalArgumentException("TrainConfig: maxBadSteps must be >= 1, got " + maxBadSteps);
        }
        if (checkpointEvery > 0 && outputDir == null) {
            throw new IllegalArgumentException("TrainConfig: checkpointEvery " + checkpointEvery + " needs an outputDir");
        }
    }

    /** A configuration with the default {@link #DEFAULT_MAX_BAD_STEPS}. */
    public TrainConfig(long maxSteps, int epochs, double lr, LrSchedule.Kind schedule, long warmupSteps,
                       double minLrRatio, double weightDecay, double maxGradNorm, int accumulation, long evalEvery,
                       long logEvery, long seed, @Nullable Path outputDir, long checkpointEvery) {
        this(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxGradNorm, accumulation,
                evalEvery, logEvery, seed, outputDir, checkpointEvery, DEFAULT_MAX_BAD_STEPS);
    }

    /** A run of {@code steps} optimizer steps: AdamW at {@code lr}, constant schedule, log every 10 steps. */
    public static TrainConfig steps(long steps, double lr) {
        return new TrainConfig(steps, 0, lr, LrSchedule.Kind.CONSTANT, 0, 0, 0, 0, 1, 0, 10, 0, null, 0);
    }

    /** A run of {@code epochs} passes over the data. */
    public static TrainConfig epochs(int epochs, double lr) {
        return new TrainConfig(0, epochs, lr, LrSchedule.Kind.CONSTANT, 0, 0, 0, 0, 1, 0, 10, 0, null, 0);
    }

    public TrainConfig withSchedule(LrSchedule.Kind kind, long warmup, double minRatio) {
        return new TrainConfig(maxSteps, epochs, lr, kind, warmup, minRatio, weightDecay, maxGradNorm, accumulation,
                evalEvery, logEvery, seed, outputDir, checkpointEvery, maxBadSteps);
    }

    public TrainConfig withWeightDecay(double wd) {
        return new TrainConfig(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, wd, maxGradNorm, accumulation,
                evalEvery, logEvery, seed, outputDir, checkpointEvery, maxBadSteps);
    }

    public TrainConfig withGradClip(double maxNorm) {
        return new TrainConfig(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxNorm,
                accumulation, evalEvery, logEvery, seed, outputDir, checkpointEvery, maxBadSteps);
    }

    public TrainConfig withAccumulation(int k) {
        return new TrainConfig(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxGradNorm, k,
                evalEvery, logEvery, seed, outputDir, checkpointEvery, maxBadSteps);
    }

    public TrainConfig withEvalEvery(long k) {
        return new TrainConfig(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxGradNorm,
                accumulation, k, logEvery, seed, outputDir, checkpointEvery, maxBadSteps);
    }

    public TrainConfig withLogEvery(long k) {
        return new TrainConfig(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxGradNorm,
                accumulation, evalEvery, k, seed, outputDir, checkpointEvery, maxBadSteps);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxGradNorm,
                accumulation, evalEvery, logEvery, s, outputDir, checkpointEvery, maxBadSteps);
    }

    /** Writes metrics.jsonl to {@code dir}, and a checkpoint every {@code every} steps (0: none). */
    public TrainConfig withOutput(Path dir, long every) {
        return new TrainConfig(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxGradNorm,
                accumulation, evalEvery, logEvery, seed, dir, every, maxBadSteps);
    }

    /** Stops after {@code k} consecutive steps with a non-finite loss or gradient (each is skipped). */
    public TrainConfig withMaxBadSteps(int k) {
        return new TrainConfig(maxSteps, epochs, lr, schedule, warmupSteps, minLrRatio, weightDecay, maxGradNorm,
                accumulation, evalEvery, logEvery, seed, outputDir, checkpointEvery, k);
    }
}
