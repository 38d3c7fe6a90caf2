package org.wegeft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;

/** The Kotlin example, run on a tiny model for two steps so it cannot rot. */
class FineTuneDigitsTest {
    static final Path TRAIN = Path.of("data", "digits-train.arrow");
    static final Path TEST = Path.of("data", "digits-test.arrow");

    @TempDir
    Path dir;

    @Test
    void kotlinExampleFineTunesEvaluatesAndSavesAnAdapter() throws IOException {
        Path model = tinyModel(dir.resolve("model"));
        Path adapter = dir.resolve("adapter");
        FineTuneDigits.Result r = FineTuneDigits.run(model, TRAIN, TEST, 2, 0, adapter);
        assertEquals(2, r.getSteps());
        assertEquals(797, r.getTestCount());
        assertEquals(2 * 16 * 32 + 330, r.getTrainableParams());
        assertTrue(r.getTestAccuracy() >= 0 && r.getTestAccuracy() <= 1);
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));
    }

    /** A two-block ViT of width 32 with random weights, saved as a model folder. */
    static Path tinyModel(Path dir) throws IOException {
        new VisionTransformer(VitConfig.of(28, 7, 32, 2, 2, 10), 7).save(dir);
        return dir;
    }
}
