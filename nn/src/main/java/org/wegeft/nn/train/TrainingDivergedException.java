package org.wegeft.nn.train;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Training stopped because {@link TrainConfig#maxBadSteps()} consecutive steps had a non-finite (NaN or
 * infinite) loss or gradient norm. The parameters are those of the last good step (bad steps never reach the
 * optimizer); {@link #checkpoint()} is the folder they were saved to, when the run has an output folder.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;
    private final @Nullable Path checkpoint;

    public TrainingDivergedException(long step, int badSteps, double loss, double gradNorm,
            @Nullable Path checkpoint) {
        super("training diverged: " + badSteps + " consecutive steps up to step " + step
                + " had a non-finite loss or gradient (last loss " + loss + ", grad norm " + gradNorm + ")"
                + (checkpoint == null ? "" : "; the last good parameters are in " + checkpoint));
        this.step = step;
        this.checkpoint = checkpoint;
    }

    /** The optimizer step at which training stopped. */
    public long step() {
        return step;
    }

    /** The checkpoint holding the last good parameters, or null without an output folder. */
    public @Nullable Path checkpoint() {
        return checkpoint;
    }
}
