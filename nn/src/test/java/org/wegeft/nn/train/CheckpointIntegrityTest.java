package org.wegeft.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest of a checkpoint, what {@link Checkpoint#verify} catches, and resuming past a damaged checkpoint. */
class CheckpointIntegrityTest {
    /** A run of 24 steps with a checkpoint every 6 (dropout included, so generator positions matter too). */
    private static float[] fullRun(Path dir) {
        return ResumeAndFaultsTest.trainer(ResumeAndFaultsTest.mlpWithDropout(1), ResumeAndFaultsTest.config()
                .withOutput(dir, 6), ResumeAndFaultsTest::loss).run().losses();
    }

    @Test
    void aCheckpointListsEveryFileWithItsSizeAndChecksum(@TempDir Path dir) throws IOException {
        fullRun(dir);
        Path ck = dir.resolve("checkpoint-6");
        Map<String, CheckpointManifest.Entry> m = CheckpointManifest.read(ck);
        assertEquals(List.of(Checkpoint.TRAINABLE, Checkpoint.OPTIMIZER, Checkpoint.STATE), List.copyOf(m.keySet()));
        for (var e : m.entrySet()) {
            assertEquals(Files.size(ck.resolve(e.getKey())), e.getValue().size(), e.getKey());
            assertEquals(CheckpointManifest.measure(ck.resolve(e.getKey())), e.getValue(), e.getKey());
        }
        assertTrue(Checkpoint.verify(ck));
    }

    @Test
    void verifyNamesATruncatedAFlippedAndAMissingFile(@TempDir Path dir) throws IOException {
        fullRun(dir);
        Path a = dir.resolve("checkpoint-6");
        truncate(a.resolve(Checkpoint.TRAINABLE), 100);
        var e = assertThrows(CheckpointCorruptException.class, () -> Checkpoint.verify(a));
        assertTrue(e.getMessage().startsWith(a.resolve(Checkpoint.TRAINABLE) + " has 100 bytes"), e.getMessage());

        Path b = dir.resolve("checkpoint-12");
        flipLastByte(b.resolve(Checkpoint.OPTIMIZER));
        e = assertThrows(CheckpointCorruptException.class, () -> Checkpoint.verify(b));
        assertTrue(e.getMessage().startsWith(b.resolve(Checkpoint.OPTIMIZER) + " has CRC32C"), e.getMessage());

        Path c = dir.resolve("checkpoint-18");
        Files.delete(c.resolve(Checkpoint.STATE));
        e = assertThrows(CheckpointCorruptException.class, () -> Checkpoint.verify(c));
        assertTrue(e.getMessage().startsWith(c.resolve(Checkpoint.STATE) + " is missing"), e.getMessage());
    }

    @Test
    void aCheckpointWithoutManifestIsStillCheckedForStructure(@TempDir Path dir) throws IOException {
        fullRun(dir);
        Path ck = dir.resolve("checkpoint-6");
        Files.delete(ck.resolve(CheckpointManifest.FILE));
        assertFalse(Checkpoint.verify(ck), "accepted, reported as having no manifest");
        truncate(ck.resolve(Checkpoint.TRAINABLE), Files.size(ck.resolve(Checkpoint.TRAINABLE)) - 8);
        var e = assertThrows(CheckpointCorruptException.class, () -> Checkpoint.verify(ck));
        assertTrue(e.getMessage().startsWith(ck.resolve(Checkpoint.TRAINABLE) + " is damaged"), e.getMessage());
    }

    @Test
    void resumeSkipsTheDamagedLatestCheckpointAndReplaysTheExactLosses(@TempDir Path dir) throws IOException {
        float[] full = fullRun(dir);
        Path latest = dir.resolve("checkpoint-24").resolve(Checkpoint.TRAINABLE);
        truncate(latest, Files.size(latest) / 2);
        flipLastByte(dir.resolve("checkpoint-18").resolve(Checkpoint.OPTIMIZER));
        List<String> warnings = new ArrayList<>();
        Path ck = Checkpoint.latestValid(dir, warnings::add).orElseThrow();
        assertEquals(dir.resolve("checkpoint-12"), ck);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("checkpoint-24"), warnings.get(0));
        assertTrue(warnings.get(1).contains("checkpoint-18"), warnings.get(1));

        float[] resumed = ResumeAndFaultsTest.trainer(ResumeAndFaultsTest.mlpWithDropout(7),
                ResumeAndFaultsTest.config(), ResumeAndFaultsTest::loss).resumeFrom(ck).run().losses();
        assertEquals(12, resumed.length);
        for (int i = 0; i < 12; i++) {
            assertEquals(Float.floatToRawIntBits(full[12 + i]), Float.floatToRawIntBits(resumed[i]),
                    "loss at step " + (12 + i));
        }
    }

    @Test
    void noIntactCheckpointGivesNothing(@TempDir Path dir) throws IOException {
        ResumeAndFaultsTest.trainer(ResumeAndFaultsTest.mlpWithDropout(1), ResumeAndFaultsTest.config()
                .withOutput(dir, 24), ResumeAndFaultsTest::loss).run();
        Files.writeString(dir.resolve("checkpoint-24").resolve(Checkpoint.STATE), "{not json");
        List<String> warnings = new ArrayList<>();
        assertTrue(Checkpoint.latestValid(dir, warnings::add).isEmpty());
        assertEquals(1, warnings.size(), warnings.toString());
    }

    static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    static void flipLastByte(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length - 1] ^= 1;
        Files.write(file, b);
    }
}
