package org.wegeft.llm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wegeft.kernels.DType;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.Storage;

/** Saving {@link LlamaForCausalLM} folders in Hugging Face layout (loading is {@link CheckpointWeights}). */
final class LlamaCheckpoint {
    private LlamaCheckpoint() {
    }

    static void save(LlamaForCausalLM model, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Storage> copies = new ArrayList<>();
        try {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (var e : model.stateDict().entrySet()) {
                Storage s = Storage.ofFloats(e.getValue().toFloatArray()); // heap copy: F32, contiguous
                copies.add(s);
                w.add(e.getKey(), DType.F32, e.getValue().shape(), s);
            }
            w.write(dir.resolve(ShardedSafetensors.SINGLE));
        } finally {
            copies.forEach(Storage::close);
        }
        model.config().write(dir.resolve(LlamaConfigJson.FILE));
    }
}
