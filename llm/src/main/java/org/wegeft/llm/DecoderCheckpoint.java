package org.wegeft.llm;

import java.util.Map;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.ShardedSafetensors;

/** Saving {@link CausalLM} folders in Hugging Face layout (loading is {@link CheckpointWeights}). */
final class DecoderCheckpoint {
    private DecoderCheckpoint() {
    }

    static void save(CausalLM model, Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.save(dir.resolve(ShardedSafetensors.SINGLE), model.stateDict(), Map.of());
        model.config().write(dir.resolve(DecoderConfigJson.FILE));
    }
}
