package org.wegeft.tensor;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint that may span several safetensors files: a folder with {@value #INDEX} (Hugging Face
 * sharded layout), a folder with a single {@value #SINGLE}, an index file, or one {@code .safetensors}
 * file. Each shard is opened (memory-mapped) once; tensors are looked up by name across shards.
 *
 * <pre>
 *   model.safetensors.index.json: {"metadata": {...}, "weight_map": {"tensor": "model-00001-of-00002.safetensors"}}
 * </pre>
 */
public final class ShardedSafetensors implements AutoCloseable {
    public static final String INDEX = "model.safetensors.index.json";
    public static final String SINGLE = "model.safetensors";

    private final Path source;
    private final Map<String, String> metadata;
    private final Map<String, SafetensorsFile> shardOf;
    private final List<SafetensorsFile> shards;

    private ShardedSafetensors(Path source, Map<String, String> metadata, Map<String, SafetensorsFile> shardOf,
                               List<SafetensorsFile> shards) {
        this.source = source;
        this.metadata = metadata;
        this.shardOf = shardOf;
        this.shards = shards;
    }

    /**
     * Opens a folder (index or single file), an index file or a single safetensors file.
     * @throws SafetensorsException naming the file and key at fault
     */
    public static ShardedSafetensors open(Path dirOrFile) {
        if (Files.isDirectory(dirOrFile)) {
            Path index = dirOrFile.resolve(INDEX);
            if (Files.isRegularFile(index)) {
                return openIndex(index);
            }
            Path single = dirOrFile.resolve(SINGLE);
            if (Files.isRegularFile(single)) {
                return ofSingle(single);
            }
            throw new SafetensorsException(dirOrFile, "file", "folder has neither " + INDEX + " nor " + SINGLE);
        }
        if (dirOrFile.getFileName() != null && dirOrFile.getFileName().toString().endsWith(".index.json")) {
            return openIndex(dirOrFile);
        }
        return ofSingle(dirOrFile);
    }

    private static ShardedSafetensors ofSingle(Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> map = new LinkedHashMap<>();
        for (TensorInfo t : f.tensors()) {
            map.put(t.name(), f);
        }
        return new ShardedSafetensors(file, f.metadata(), map, List.of(f));
    }

    private static ShardedSafetensors openIndex(Path index) {
        JsonNode root;
        try {
            root = SafetensorsHeader.JSON.readTree(Files.readString(index));
        } catch (JacksonException e) {
            throw new SafetensorsException(index, "header", "index is not valid JSON: "
                    + SafetensorsHeader.oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new SafetensorsException(index, "file", "cannot read: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(index, "header", "index is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
                throw new SafetensorsException(index, "metadata", "must be an object, got " + meta.getNodeType());
            }
            for (Map.Entry<String, JsonNode> e : meta.properties()) {
                JsonNode v = e.getValue();
                if (!v.isValueNode()) {
                    throw new SafetensorsException(index, "metadata", "value of '" + e.getKey() + "' must be a scalar");
                }
                metadata.put(e.getKey(), v.asText());
            }
        }
        JsonNode weights = root.get("weight_map");
        if (weights == null || !weights.isObject()) {
            throw new SafetensorsException(index, "weight_map", "missing, or not an object of tensor → shard file");
        }
        Path dir = index.toAbsolutePath().normalize().getParent();   // a folder given as ../x still holds its shards
        Map<String, SafetensorsFile> opened = new LinkedHashMap<>();
        Map<String, SafetensorsFile> shardOf = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonNode> e : weights.properties()) {
                String name = e.getKey();
                if (!e.getValue().isTextual()) {
                    throw new SafetensorsException(index, name, "shard must be a file name string, got " + e.getValue());
                }
                String shard = e.getValue().textValue();
                SafetensorsFile f = opened.get(shard);
                if (f == null) {
                    f = SafetensorsFile.open(shardPath(index, dir, name, shard));
                    opened.put(shard, f);
                }
                if (!f.contains(name)) {
                    throw new SafetensorsException(index, name, "mapped to shard " + shard + " which has no such tensor");
                }
                shardOf.put(name, f);
            }
        } catch (RuntimeException e) {
            opened.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new ShardedSafetensors(index, Collections.unmodifiableMap(metadata),
                shardOf, List.copyOf(opened.values()));
    }

    /** The shard's path; rejects names that are absolute or leave the index's folder. */
    private static Path shardPath(Path index, Path dir, String key, String shard) {
        if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")
                || shard.indexOf('\0') >= 0) {
            throw new SafetensorsException(index, key, "shard name '" + shard + "' must be a plain file name in "
                    + dir);
        }
        Path p = dir.resolve(shard).normalize();
        if (!dir.equals(p.getParent())) {
            throw new SafetensorsException(index, key, "shard '" + shard + "' leaves the folder " + dir);
        }
        if (!Files.isRegularFile(p)) {
            throw new SafetensorsException(index, key, "shard file " + shard + " does not exist in " + dir);
        }
        return p;
    }

    /** The index file or single safetensors file this was opened from. */
    public Path source() {
        return source;
    }

    /** The index's {@code metadata} (values as text), or the single file's {@code __metadata__}. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The opened shard files, in first-use order. */
    public List<SafetensorsFile> shards() {
        return shards;
    }

    /** Every tensor, in index (or header) order. */
    public List<TensorInfo> tensors() {
        List<TensorInfo> out = new ArrayList<>(shardOf.size());
        shardOf.forEach((name, f) -> out.add(f.info(name)));
        return out;
    }

    public boolean contains(String name) {
        return shardOf.containsKey(name);
    }

    /** The shard that holds {@code name}. @throws SafetensorsException when none does */
    public SafetensorsFile shardOf(String name) {
        SafetensorsFile f = shardOf.get(name);
        if (f == null) {
            throw new SafetensorsException(source, name, "no such tensor in the checkpoint");
        }
        return f;
    }

    public TensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    /** See {@link SafetensorsFile#storage(String)}. */
    public Storage storage(String name) {
        return shardOf(name).storage(name);
    }

    /** See {@link SafetensorsFile#readBytes(String)}. */
    public byte[] readBytes(String name) {
        return shardOf(name).readBytes(name);
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }
}
