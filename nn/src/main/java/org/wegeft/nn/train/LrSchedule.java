package org.wegeft.nn.train;

/**
 * The learning-rate multiplier as a function of the optimizer step (0 for the first update), matching Hugging
 * Face transformers' {@code get_constant_schedule_with_warmup}, {@code get_linear_schedule_with_warmup} and
 * {@code get_cosine_schedule_with_warmup} / {@code get_cosine_with_min_lr_schedule_with_warmup} (half a cycle).
 */
public sealed interface LrSchedule {
    /** The multiplier of the base learning rate at {@code step}. */
    double factor(long step);

    /** The schedule kinds a {@link TrainConfig} names. */
    enum Kind { CONSTANT, LINEAR, COSINE }

    /** step/warmup during warm-up, then 1. */
    record Constant(long warmup) implements LrSchedule {
        @Override
        public double factor(long step) {
            return step < warmup ? (double) step / Math.max(1, warmup) : 1.0;
        }
    }

    /** Linear warm-up, then linear decay to 0 at {@code total}. */
    record Linear(long warmup, long total) implements LrSchedule {
        @Override
        public double factor(long step) {
            if (step < warmup) {
                return (double) step / Math.max(1, warmup);
            }
            return Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
        }
    }

    /** Linear warm-up, then half a cosine from 1 down to {@code minRatio} at {@code total}. */
    record Cosine(long warmup, long total, double minRatio) implements LrSchedule {
        public Cosine {
            if (!(minRatio >= 0 && minRatio <= 1)) {
                throw new IllegalArgumentException("cosine schedule minRatio must be in [0, 1], got " + minRatio);
            }
        }

        @Override
        public double factor(long step) {
            if (step < warmup) {
                return (double) step / Math.max(1, warmup);
            }
            double progress = (double) (step - warmup) / Math.max(1, total - warmup);
            double f = 0.5 * (1.0 + Math.cos(Math.PI * 2.0 * 0.5 * progress));
            return Math.max(0.0, f * (1 - minRatio) + minRatio);
        }
    }

    static LrSchedule of(Kind kind, long warmup, long total, double minRatio) {
        if (warmup < 0 || total < 0) {
            throw new IllegalArgumentException("schedule needs warmup >= 0 and total >= 0, got warmup=" + warmup
                    + " total=" + total);
        }
        return switch (kind) {
            case CONSTANT -> new Constant(warmup);
            case LINEAR -> new Linear(warmup, total);
            case COSINE -> new Cosine(warmup, total, minRatio);
        };
    }
}
