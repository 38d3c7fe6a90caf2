package org.wegeft.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.wegeft.nn.train.Checkpoint;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --checkpoint-every N} / {@code --resume DIR} pair of the training commands: checkpoints go to
 * {@code <--out>/checkpoints/checkpoint-<step>}; {@code --resume} takes one such folder, a {@code checkpoints}
 * folder (its latest complete checkpoint) or an earlier run's {@code --out} folder (the latest complete checkpoint
 * of its {@code checkpoints} folder).
 */
public final class ResumeCheckpoint {
    /** Sub-folder of {@code --out} that receives the checkpoints. */
    public static final String FOLDER = "checkpoints";

    private ResumeCheckpoint() {
    }

    /** Where the checkpoints of a run writing to {@code out} go. */
    public static Path folderOf(Path out) {
        return out.resolve(FOLDER);
    }

    /**
     * The complete checkpoint folder {@code dir} names, as described above; a {@link ParameterException} (status
     * 2) naming {@code flag} and {@code dir} when there is none.
     */
    public static Path resolve(CommandSpec spec, String flag, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), flag + ": no such folder: " + dir);
        }
        if (isComplete(dir)) {
            return dir;
        }
        Optional<Path> latest = Checkpoint.latest(dir).or(() -> Checkpoint.latest(folderOf(dir)));
        if (latest.isPresent()) {
            return latest.get();
        }
        if (Files.exists(dir.resolve(Checkpoint.STATE))) {
            throw new ParameterException(spec.commandLine(), flag + ": incomplete checkpoint folder " + dir
                    + " (needs " + Checkpoint.STATE + ", " + Checkpoint.TRAINABLE + " and " + Checkpoint.OPTIMIZER + ")");
        }
        throw new ParameterException(spec.commandLine(), flag + ": no complete checkpoint in " + dir);
    }

    private static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(Checkpoint.STATE)) && Files.isRegularFile(dir.resolve(Checkpoint.TRAINABLE))
                && Files.isRegularFile(dir.resolve(Checkpoint.OPTIMIZER));
    }
}
