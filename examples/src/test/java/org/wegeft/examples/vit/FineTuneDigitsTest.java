package org.wegeft.examples.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.examples.kotlin.FineTuneDigits;

/** The Kotlin example, run on a tiny model for two steps so it cannot rot. */
class FineTuneDigitsTest {
    @TempDir
    Path dir;

    @Test
    void kotlinExampleFineTunesEvaluatesAndSavesAnAdapter() throws IOException {
        Path model = VitCommandsTest.tinyModel(dir.resolve("model"));
        Path adapter = dir.resolve("adapter");
        FineTuneDigits.Result r = FineTuneDigits.run(model, VitCommandsTest.TRAIN, VitCommandsTest.TEST, 2, 0,
                adapter);
        assertEquals(2, r.getSteps());
        assertEquals(797, r.getTestCount());
        assertEquals(2 * 16 * 32 + 330, r.getTrainableParams());
        assertTrue(r.getTestAccuracy() >= 0 && r.getTestAccuracy() <= 1);
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_model.safetensors")));
    }
}
