package org.wegeft.nn.train;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * What a fine-tuning run writes besides its result, and where it starts from.
 *
 * @param metrics         metrics.jsonl of the trainer (null: none)
 * @param checkpoints     folder of the {@code checkpoint-<step>} folders (null: none)
 * @param checkpointEvery steps between checkpoints (0: none)
 * @param resume          checkpoint folder to continue from (null: start afresh)
 */
public record RunFiles(@Nullable Path metrics, @Nullable Path checkpoints, long checkpointEvery, @Nullable Path resume) {
    public static final RunFiles NONE = new RunFiles(null, null, 0, null);

    public RunFiles {
        if (checkpointEvery < 0 || (checkpointEvery > 0) != (checkpoints != null)) {
            throw new IllegalArgumentException("checkpoint every " + checkpointEvery + " steps into " + checkpoints);
        }
    }

    /** {@code config} with the checkpoint folder and interval. */
    public TrainConfig apply(TrainConfig config) {
        return checkpoints == null ? config : config.withOutput(checkpoints, checkpointEvery);
    }

    /** {@code trainer} with the metrics file and, when resuming, the checkpoint's state loaded. */
    public <B> Trainer<B> apply(Trainer<B> trainer) {
        if (metrics != null) {
            trainer.metricsFile(metrics);
        }
        if (resume != null) {
            trainer.resumeFrom(resume);
        }
        return trainer;
    }
}
