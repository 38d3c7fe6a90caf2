package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.train.Checkpoint;
import org.wegeft.nn.train.CheckpointManifest;
import org.wegeft.nn.train.OptimizerState;
import org.wegeft.nn.train.TrainerState;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.Tensor;

/** {@code wegeft verify}: one OK line per good file, status 2 naming each bad file and why. */
class VerifyCommandTest {
    @TempDir
    Path tmp;

    /** A run folder: an adapter beside checkpoints/checkpoint-2 (with a manifest). */
    private Path run() throws IOException {
        Path out = tmp.resolve("out");
        try (Tensor w = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2); Tensor m = Tensor.zeros(2, 2)) {
            Checkpoint.write(out.resolve("checkpoints/checkpoint-2"), Map.of("w", w),
                    new OptimizerState(Map.of("w.exp_avg", m), Map.of("w.step", "2")), new TrainerState(2, 0, 2, 1, 2, 0.1));
            SafetensorsWriter.save(out.resolve("adapter_model.safetensors"), Map.of("w", w), Map.of());
        }
        Files.writeString(out.resolve("adapter_config.json"), "{\"peft_type\": \"WEGEFT\", \"r\": 2}");
        return out;
    }

    @Test
    void aGoodFolderGivesOneOkLinePerFile() throws IOException {
        Path out = run();
        CliRun.Result r = CliRun.run("verify", out.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(6, r.out().lines().count(), r.out());
        assertTrue(r.out().lines().allMatch(l -> l.startsWith("OK   ")), r.out());
        Path ck = out.resolve("checkpoints/checkpoint-2");
        assertTrue(r.out().contains("OK   " + ck.resolve(Checkpoint.TRAINABLE) + ": 1 tensors, header and data"
                + " offsets fit the"), r.out());
        assertTrue(r.out().contains("size and CRC32C match the manifest"), r.out());
    }

    @Test
    void aTruncatedCheckpointFileIsNamedWithStatus2() throws IOException {
        Path out = run();
        Path f = out.resolve("checkpoints/checkpoint-2").resolve(Checkpoint.OPTIMIZER);
        Files.write(f, Arrays.copyOf(Files.readAllBytes(f), 40));
        CliRun.Result r = CliRun.run("verify", out.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().startsWith("BAD  " + f + ": has 40 bytes, " + CheckpointManifest.FILE + " says "), r.err());
        assertTrue(r.err().contains("wegeft verify: 1 of 6 files failed"), r.err());
    }

    @Test
    void aTruncatedSafetensorsFileWithoutManifestIsNamedByItsHeader() throws IOException {
        Path out = run();
        Path f = out.resolve("adapter_model.safetensors");
        Files.write(f, Arrays.copyOf(Files.readAllBytes(f), (int) Files.size(f) - 4));
        CliRun.Result r = CliRun.run("verify", f.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().startsWith("BAD  " + f + ": "), r.err());
        assertTrue(r.err().contains("data"), r.err());
    }

    @Test
    void aBrokenJsonAndAnIndexWithAMissingShardAreNamed() throws IOException {
        Path out = run();
        Files.writeString(out.resolve("adapter_config.json"), "{\"r\": 2,}");
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"w\": \"model-00001-of-00002.safetensors\"}}");
        CliRun.Result a = CliRun.run("verify", out.toString());
        assertEquals(2, a.status());
        assertTrue(a.err().startsWith("BAD  " + out.resolve("adapter_config.json") + ": does not parse"), a.err());
        CliRun.Result b = CliRun.run("verify", model.toString());
        assertEquals(2, b.status());
        assertTrue(b.err().contains("model-00001-of-00002.safetensors does not exist"), b.err());
    }

    @Test
    void aCheckpointWithoutManifestMissingAFileIsNamed() throws IOException {
        Path ck = run().resolve("checkpoints/checkpoint-2");
        Files.delete(ck.resolve(CheckpointManifest.FILE));
        Files.delete(ck.resolve(Checkpoint.OPTIMIZER));
        CliRun.Result r = CliRun.run("verify", ck.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().startsWith("BAD  " + ck.resolve(Checkpoint.OPTIMIZER) + ": is missing"), r.err());
    }

    @Test
    void aFolderWithNothingToCheckIsRefused() throws IOException {
        Files.writeString(tmp.resolve("notes.txt"), "x");
        CliRun.Result r = CliRun.run("verify", tmp.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("holds no file verify reads"), r.err());
    }
}
