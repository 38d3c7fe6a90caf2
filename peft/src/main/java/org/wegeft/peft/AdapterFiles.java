package org.wegeft.peft;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;

/** Reads and writes {@code adapter_model.safetensors} (float32 tensors by key). */
final class AdapterFiles {
    static final String WEIGHTS = "adapter_model.safetensors";

    private AdapterFiles() {
    }

    /** Writes {@code tensors} (float32 adapter weights) atomically (the writer's temp file + rename). */
    static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        SafetensorsWriter.save(file, tensors, Map.of());
    }

    /** Shapes of every tensor in {@code file}. */
    static Map<String, long[]> shapes(SafetensorsFile f) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (TensorInfo t : f.tensors()) {
            out.put(t.name(), t.shape());
        }
        return out;
    }

    /** Copies the tensor {@code key} of {@code f} into {@code dst} (same shape; dtype converted). */
    static void copyInto(SafetensorsFile f, String key, Tensor dst) {
        try (Storage s = f.storage(key); Tensor src = Tensor.wrap(s, f.info(key).shape()); var g = Grad.disabled()) {
            dst.copyFrom(src);
        }
    }
}
