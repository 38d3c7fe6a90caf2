package org.wegeft.nn.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder written by Hugging Face {@code datasets}' {@code save_to_disk}: its Arrow stream shards in order (as
 * {@code state.json}'s {@code _data_files} lists them, else the {@code data-NNNNN-of-NNNNN.arrow} files by name), and
 * the label names of its {@code ClassLabel} features from {@code dataset_info.json}.
 *
 * @param shards     the Arrow files, in row order
 * @param classNames column → its class names, for the ClassLabel columns
 */
record SavedDataset(List<Path> shards, Map<String, List<String>> classNames) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHARD = Pattern.compile("data-\\d+-of-\\d+\\.arrow");

    static SavedDataset read(Path folder) {
        if (Files.isRegularFile(folder.resolve("dataset_dict.json"))) {
            JsonNode dict = json(folder.resolve("dataset_dict.json"));
            List<String> splits = new ArrayList<>();
            dict.path("splits").forEach(s -> splits.add(s.asText()));
            throw new DatasetException(folder, null, "is a DatasetDict: give one of its split folders " + splits);
        }
        List<Path> shards = new ArrayList<>();
        Path state = folder.resolve("state.json");
        if (Files.isRegularFile(state)) {
            JsonNode files = json(state).path("_data_files");
            if (!files.isArray() || files.isEmpty()) {
                throw new DatasetException(state, "_data_files", "missing, or not a list of shard files");
            }
            for (JsonNode f : files) {
                String name = f.path("filename").asText("");
                Path shard = folder.resolve(name).normalize();
                if (name.isEmpty() || !folder.toAbsolutePath().normalize().equals(
                        shard.toAbsolutePath().normalize().getParent())) {
                    throw new DatasetException(state, "_data_files", "shard name '" + name + "' is not a file of "
                            + folder);
                }
                if (!Files.isRegularFile(shard)) {
                    throw new DatasetException(state, "_data_files", "shard " + name + " is missing from " + folder);
                }
                shards.add(shard);
            }
        } else {
            try (Stream<Path> s = Files.list(folder)) {
                s.filter(p -> SHARD.matcher(p.getFileName().toString()).matches()).sorted().forEach(shards::add);
            } catch (IOException e) {
                throw new DatasetException(folder, null, "cannot list: " + e.getMessage(), e);
            }
            if (shards.isEmpty()) {
                throw new DatasetException(folder, null, "holds no state.json and no data-NNNNN-of-NNNNN.arrow shards;"
                        + " not a folder written by save_to_disk");
            }
        }
        Path info = folder.resolve("dataset_info.json");
        Map<String, List<String>> names = Files.isRegularFile(info) ? classNames(json(info).path("features"))
                : Map.of();
        return new SavedDataset(List.copyOf(shards), names);
    }

    /**
     * The ClassLabel names in a {@code datasets} features object (as {@code dataset_info.json} holds it, and the
     * {@code huggingface} metadata of a Parquet file under {@code info}): column → its names.
     */
    static Map<String, List<String>> classNames(JsonNode features) {
        Map<String, List<String>> names = new LinkedHashMap<>();
        features.properties().forEach(e -> {
            JsonNode f = e.getValue();
            if ("ClassLabel".equals(f.path("_type").asText()) && f.path("names").isArray()) {
                List<String> labels = new ArrayList<>();
                f.path("names").forEach(n -> labels.add(n.asText()));
                names.put(e.getKey(), List.copyOf(labels));
            }
        });
        return Map.copyOf(names);
    }

    private static JsonNode json(Path file) {
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new DatasetException(file, null, "expected a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new DatasetException(file, null, "not readable JSON: " + e.getMessage(), e);
        }
    }
}
