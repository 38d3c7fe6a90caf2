package org.wegeft.cli.vit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.vision.train.FineTuneResult;

/** {@code results.json}: a list of {@link FineTuneResult} objects with snake_case keys. */
final class ResultsFile {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ResultsFile() {}

    static ObjectNode toJson(FineTuneResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("method", r.method());
        o.put("trainable_params", r.trainableParams());
        o.put("total_params", r.totalParams());
        o.put("trainable_percent", round(r.trainablePercent(), 4));
        o.put("test_accuracy", round(r.testAccuracy(), 6));
        o.put("test_count", r.testCount());
        o.put("train_seconds", round(r.trainSeconds(), 2));
        o.put("peak_memory_mb", round(r.peakMemoryMb(), 1));
        o.put("lr", r.lr());
        o.put("steps", r.steps());
        o.put("train_images_per_second", round(r.trainImagesPerSecond(), 1));
        o.put("seed", r.seed());
        o.put("median_step_ms", round(r.medianStepMs(), 2));
        o.put("peak_tensor_mb", round(r.peakTensorMb(), 2));
        return o;
    }

    /** One result; {@code peak_tensor_mb} may be missing (files written before it was recorded): -1. */
    static FineTuneResult fromJson(JsonNode o, String source) {
        for (String k : List.of("method", "trainable_params", "total_params", "test_accuracy", "test_count",
                "train_seconds", "peak_memory_mb", "lr", "steps", "train_images_per_second", "seed",
                "median_step_ms")) {
            if (!o.hasNonNull(k)) {
                throw new IllegalArgumentException(source + ": result has no '" + k + "'");
            }
        }
        return new FineTuneResult(o.get("method").asText(), o.get("trainable_params").asLong(),
                o.get("total_params").asLong(), o.get("test_accuracy").asDouble(), o.get("test_count").asLong(),
                o.get("train_seconds").asDouble(), o.get("peak_memory_mb").asDouble(), o.get("lr").asDouble(),
                o.get("steps").asLong(), o.get("train_images_per_second").asDouble(), o.get("seed").asLong(),
                o.get("median_step_ms").asDouble(), optionalNumber(o, "peak_tensor_mb", source));
    }

    /** A key that older files lack: -1 when missing or null, else it must be a number. */
    private static double optionalNumber(JsonNode o, String key, String source) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            return -1;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(source + ": result's '" + key + "' is not a number: " + v);
        }
        return v.asDouble();
    }

    static FineTuneResult readOne(Path file) throws IOException {
        return fromJson(JSON.readTree(file.toFile()), file.toString());
    }

    /** Writes the list atomically (temporary file, then rename). */
    static void write(List<FineTuneResult> results, Path file) throws IOException {
        ArrayNode a = JSON.createArrayNode();
        results.forEach(r -> a.add(toJson(r)));
        AtomicFiles.writeString(file, a.toPrettyString() + "\n");
    }

    static List<FineTuneResult> read(Path file) throws IOException {
        List<FineTuneResult> out = new ArrayList<>();
        for (JsonNode n : JSON.readTree(file.toFile())) {
            out.add(fromJson(n, file.toString()));
        }
        return out;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
