package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.train.Checkpoint;
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
            Path ck = Files.createDirectories(cks.resolve("checkpoint-" + step));
            List<String> files = step == 6 ? List.of(Checkpoint.STATE, Checkpoint.TRAINABLE)
                    : List.of(Checkpoint.STATE, Checkpoint.TRAINABLE, Checkpoint.OPTIMIZER);
            for (String f : files) {
                Files.writeString(ck.resolve(f), "x");
            }
        }
        return cks;
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
