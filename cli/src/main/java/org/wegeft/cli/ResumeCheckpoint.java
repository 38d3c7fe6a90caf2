package org.wegeft.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.wegeft.nn.train.Checkpoint;
import org.wegeft.nn.train.CheckpointCorruptException;
import org.wegeft.nn.train.CheckpointManifest;
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
     * The checkpoint folder {@code dir} names, as described above, checked by {@link Checkpoint#verify}; from a
     * checkpoints or output folder, the newest checkpoint that verifies, each newer damaged one skipped with a
     * warning on the command's error stream. A {@link ParameterException} (status 2) naming {@code flag} and
     * {@code dir} when there is none, or when {@code dir} itself is a damaged checkpoint.
     */
    public static Path resolve(CommandSpec spec, String flag, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), flag + ": no such folder: " + dir);
        }
        PrintWriter err = spec.commandLine().getErr();
        if (isComplete(dir)) {
            try {
                noteWithoutManifest(err, dir, Checkpoint.verify(dir));
            } catch (CheckpointCorruptException e) {
                throw new ParameterException(spec.commandLine(), flag + ": damaged checkpoint: " + e.getMessage()
                        + " (pass its parent folder to resume from the newest intact checkpoint)");
            }
            return dir;
        }
        List<String> skipped = new ArrayList<>();
        Consumer<String> warn = w -> {
            skipped.add(w);
            err.println("warning: " + w);
            err.flush();
        };
        Optional<Path> latest = Checkpoint.latestValid(dir, warn).or(() -> Checkpoint.latestValid(folderOf(dir), warn));
        if (latest.isPresent()) {
            noteWithoutManifest(err, latest.get(), Files.isRegularFile(latest.get().resolve(CheckpointManifest.FILE)));
            return latest.get();
        }
        if (!skipped.isEmpty()) {
            throw new ParameterException(spec.commandLine(), flag + ": no intact checkpoint in " + dir + " ("
                    + skipped.size() + " damaged)");
        }
        if (Files.exists(dir.resolve(Checkpoint.STATE))) {
            throw new ParameterException(spec.commandLine(), flag + ": incomplete checkpoint folder " + dir
                    + " (needs " + Checkpoint.STATE + ", " + Checkpoint.TRAINABLE + " and " + Checkpoint.OPTIMIZER + ")");
        }
        throw new ParameterException(spec.commandLine(), flag + ": no complete checkpoint in " + dir);
    }

    private static void noteWithoutManifest(PrintWriter err, Path ck, boolean hasManifest) {
        if (!hasManifest) {
            err.println("note: " + ck + " has no " + CheckpointManifest.FILE + " (an older checkpoint): its files"
                    + " were checked for structure only, not by checksum");
            err.flush();
        }
    }

    private static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(Checkpoint.STATE)) && Files.isRegularFile(dir.resolve(Checkpoint.TRAINABLE))
                && Files.isRegularFile(dir.resolve(Checkpoint.OPTIMIZER));
    }
}
