package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.train.Checkpoint;
import org.wegeft.nn.train.CheckpointManifest;
import org.wegeft.nn.train.OptimizerState;
import org.wegeft.nn.train.TrainerState;
import org.wegeft.tensor.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Which checkpoint folder {@code --resume DIR} names. */
class ResumeCheckpointTest {
    @TempDir
    Path out;

    private final CommandSpec spec = new CommandLine(CommandSpec.create()).getCommandSpec();

    /** out/checkpoints with complete checkpoint-2 and checkpoint-4 and an incomplete (no optimizer) checkpoint-6. */
    private Path layout() throws IOException {
        Path cks = ResumeCheckpoint.folderOf(out);
        for (int step : new int[] {2, 4, 6}) {
            Path ck = cks.resolve("checkpoint-" + step);
            try (Tensor w = Tensor.of(new float[] {step, 1}, 2)) {
                Checkpoint.write(ck, Map.of("w", w), new OptimizerState(Map.of(), Map.of()),
                        new TrainerState(step, 0, step, 1, step, 0.1));
            }
            if (step == 6) {
                Files.delete(ck.resolve(Checkpoint.OPTIMIZER));
            }
        }
        return cks;
    }

    private String resolveWithWarnings(Path dir) {
        StringWriter err = new StringWriter();
        spec.commandLine().setErr(new PrintWriter(err));
        assertEquals(ResumeCheckpoint.folderOf(out).resolve("checkpoint-2"), ResumeCheckpoint.resolve(spec, "--resume", dir));
        return err.toString();
    }

    @Test
    void aDamagedLatestCheckpointIsSkippedWithAWarningNamingIt() throws IOException {
        Path cks = layout();
        Path trainable = cks.resolve("checkpoint-4").resolve(Checkpoint.TRAINABLE);
        Files.write(trainable, Arrays.copyOf(Files.readAllBytes(trainable), 20));
        String err = resolveWithWarnings(out);
        assertTrue(err.contains("warning: skipping damaged checkpoint " + cks.resolve("checkpoint-4") + ": "
                + trainable + " has 20 bytes"), err);
    }

    @Test
    void aCheckpointWithoutManifestIsAcceptedWithANote() throws IOException {
        Path cks = layout();
        Files.delete(cks.resolve("checkpoint-4").resolve(CheckpointManifest.FILE));
        Files.delete(cks.resolve("checkpoint-4").resolve(Checkpoint.TRAINABLE));
        Files.delete(cks.resolve("checkpoint-2").resolve(CheckpointManifest.FILE));
        String err = resolveWithWarnings(cks);
        assertTrue(err.contains("note: " + cks.resolve("checkpoint-2") + " has no manifest.json"), err);
    }

    @Test
    void aDamagedCheckpointNamedDirectlyIsRejectedNamingTheFile() throws IOException {
        Path ck = layout().resolve("checkpoint-4");
        Files.writeString(ck.resolve(Checkpoint.STATE), "{}");
        ParameterException e = assertThrows(ParameterException.class,
                () -> ResumeCheckpoint.resolve(spec, "--resume", ck));
        assertTrue(e.getMessage().startsWith("--resume: damaged checkpoint: " + ck.resolve(Checkpoint.STATE) + " has "),
                e.getMessage());
    }

    @Test
    void aCheckpointFolderIsTakenAsItIs() throws IOException {
        Path cks = layout();
        assertEquals(cks.resolve("checkpoint-2"), ResumeCheckpoint.resolve(spec, "--resume", cks.resolve("checkpoint-2")));
    }

    @Test
    void aCheckpointsFolderGivesItsLatestCompleteCheckpoint() throws IOException {
        Path cks = layout();
        assertEquals(cks.resolve("checkpoint-4"), ResumeCheckpoint.resolve(spec, "--resume", cks));
    }

    @Test
    void anOutputFolderGivesTheLatestCompleteCheckpointOfItsCheckpointsFolder() throws IOException {
        Path cks = layout();
        assertEquals(cks.resolve("checkpoint-4"), ResumeCheckpoint.resolve(spec, "--resume", out));
    }

    @Test
    void anIncompleteCheckpointIsRejectedNamingTheFlagAndFolder() throws IOException {
        Path ck6 = layout().resolve("checkpoint-6");
        ParameterException e = assertThrows(ParameterException.class,
                () -> ResumeCheckpoint.resolve(spec, "--resume", ck6));
        assertTrue(e.getMessage().startsWith("--resume: incomplete checkpoint folder " + ck6), e.getMessage());
    }

    @Test
    void aFolderWithoutCheckpointsIsRejectedNamingTheFlagAndFolder() {
        ParameterException e = assertThrows(ParameterException.class,
                () -> ResumeCheckpoint.resolve(spec, "--resume", out));
        assertEquals("--resume: no complete checkpoint in " + out, e.getMessage());
    }

    @Test
    void aMissingFolderIsRejectedNamingTheFlagAndFolder() {
        Path gone = out.resolve("gone");
        ParameterException e = assertThrows(ParameterException.class,
                () -> ResumeCheckpoint.resolve(spec, "--resume", gone));
        assertEquals("--resume: no such folder: " + gone, e.getMessage());
    }
}
