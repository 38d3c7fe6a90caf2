package org.wegeft.vision.train;

import org.wegeft.nn.train.LrSchedule;
import org.wegeft.nn.train.TrainConfig;

/**
 * A fine-tuning schedule: AdamW, linear warm-up for {@code warmupFraction} of the steps, then a cosine decay to 0.
 *
 * @param epochs         passes over the training set (used when {@code maxSteps} is 0)
 * @param maxSteps       optimizer steps (0: by epochs)
 * @param batchSize      images per step
 * @param lr             peak learning rate
 * @param warmupFraction share of the steps spent warming up
 * @param weightDecay    AdamW decoupled weight decay on matrices (none on biases and norms)
 * @param labelSmoothing cross-entropy label smoothing
 * @param seed           batch order, head and adapter initialisation
 */
public record Recipe(int epochs, long maxSteps, int batchSize, double lr, double warmupFraction, double weightDecay,
        float labelSmoothing, long seed) {
    public Recipe {
        if (epochs <= 0 && maxSteps <= 0) {
            throw new IllegalArgumentException("epochs or maxSteps must be positive, got " + epochs + " / "
                    + maxSteps);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be positive, got " + lr);
        }
        if (!(warmupFraction >= 0 && warmupFraction < 1) || !(weightDecay >= 0)
                || !(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("warm-up fraction " + warmupFraction + ", weight decay " + weightDecay
                    + " or label smoothing " + labelSmoothing + " out of range");
        }
    }

    public Recipe withLr(double newLr) {
        return new Recipe(epochs, maxSteps, batchSize, newLr, warmupFraction, weightDecay, labelSmoothing, seed);
    }

    public Recipe withMaxSteps(long steps) {
        return new Recipe(epochs, steps, batchSize, lr, warmupFraction, weightDecay, labelSmoothing, seed);
    }

    /** Optimizer steps for a training set whose epoch has {@code batchesPerEpoch} batches. */
    public long totalSteps(long batchesPerEpoch) {
        return maxSteps > 0 ? maxSteps : epochs * batchesPerEpoch;
    }

    /** The trainer's config for a training set of {@code batchesPerEpoch} batches per epoch. */
    public TrainConfig trainConfig(long batchesPerEpoch, long logEvery) {
        long total = totalSteps(batchesPerEpoch);
        TrainConfig base = maxSteps > 0 ? TrainConfig.steps(maxSteps, lr) : TrainConfig.epochs(epochs, lr);
        return base.withSchedule(LrSchedule.Kind.COSINE, Math.round(warmupFraction * total), 0.0)
                .withWeightDecay(weightDecay)
                .withGradClip(1.0)
                .withSeed(seed)
                .withLogEvery(Math.max(1, logEvery));
    }
}
