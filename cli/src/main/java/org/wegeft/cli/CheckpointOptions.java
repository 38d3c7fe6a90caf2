package org.wegeft.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --checkpoint-every N --resume DIR} of the training commands; the folders are {@link ResumeCheckpoint}'s. */
public final class CheckpointOptions {
    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0",
            description = "save a checkpoint to <--out>/checkpoints every N steps (needs --out; default 0: none)")
    public long every;

    @Option(names = "--resume", paramLabel = "DIR", description = "continue from a checkpoint folder, or from the"
            + " latest complete one of a checkpoints or earlier --out folder (same flags and data)")
    public @Nullable Path resume;

    /** The complete checkpoint {@code --resume} names ({@link ResumeCheckpoint#resolve}), or null without it. */
    public @Nullable Path resumeFrom(CommandSpec spec) {
        return resume == null ? null : ResumeCheckpoint.resolve(spec, "--resume", resume);
    }
}
