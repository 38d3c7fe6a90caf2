package org.wegeft.tensor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.kernels.io.DiskSpace;

/**
 * Writes safetensors files atomically ({@link AtomicFiles}): the bytes go to a temporary sibling, are forced to
 * disk, and the temporary file is then moved over the target in one step, so a crash or error mid-write leaves any
 * previous file intact. Each file's size is checked against the free space of its folder before it is started
 * ({@link DiskSpace}). Tensors are written in the order added; the header
 * is padded with spaces to a multiple of 8 bytes so every tensor starts 8-byte aligned when the
 * previous ones are.
 *
 * <pre>
 *   new SafetensorsWriter().metadata("format", "pt").add("w", DType.F32, new long[] {2, 3}, storage).write(path);
 * </pre>
 */
public final class SafetensorsWriter {
    /** One tensor to write; the writer does not take ownership of the storage. */
    private record Entry(String name, DType dtype, long[] shape, Storage storage) {
        long bytes() {
            return storage.byteSize();
        }
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Adds a {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds every entry of {@code map} to {@code __metadata__}. */
    public SafetensorsWriter metadata(Map<String, String> map) {
        metadata.putAll(map);
        return this;
    }

    /**
     * Adds a tensor. The storage must hold exactly product(shape) elements of {@code dtype}; it must stay
     * open until {@code write} returns.
     * @throws IllegalArgumentException naming the key when the name is taken or reserved, the shape is
     *         negative, or shape and storage disagree
     */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, Storage storage) {
        if (name.equals(SafetensorsHeader.METADATA)) {
            throw new IllegalArgumentException(name + ": reserved name");
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException(name + ": tensor added twice");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (storage.dtype() != dtype || storage.elements() != n) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " of " + dtype
                    + " does not match storage of " + storage.elements() + " " + storage.dtype() + " elements");
        }
        entries.put(name, new Entry(name, dtype, shape.clone(), storage));
        return this;
    }

    /**
     * Writes {@code tensors} to one file atomically, each in its own dtype (any layout; views are copied to a
     * contiguous buffer first), with {@code "format": "pt"} and {@code metadata} in {@code __metadata__}.
     */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Tensor> dense = new ArrayList<>();
        try (var g = Grad.disabled()) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata(metadata);
            for (var e : tensors.entrySet()) {
                Tensor t = e.getValue().contiguous();
                dense.add(t);
                if (t.storageOffset() != 0 || t.storage().elements() != t.numel()) {
                    Tensor exact = Tensor.zeros(t.dtype(), t.shape()).copyFrom(t); // a view into a larger buffer
                    dense.add(exact);
                    t = exact;
                }
                w.add(e.getKey(), t.dtype(), t.shape(), t.storage());
            }
            w.write(file);
        } finally {
            dense.forEach(Tensor::close);
        }
    }

    /** Writes every tensor to one file, atomically. */
    public void write(Path file) throws IOException {
        writeFile(file, List.copyOf(entries.values()), metadata);
    }

    /**
     * Writes Hugging Face style shards into {@code dir}: {@code model-00001-of-0000N.safetensors}, … each
     * holding at most {@code maxShardBytes} of tensor data (a larger tensor gets a shard of its own), then
     * {@value ShardedSafetensors#INDEX}. Each file is written atomically, the index last.
     * @return the shard files written, in order
     */
    public List<Path> writeSharded(Path dir, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        List<List<Entry>> groups = new ArrayList<>();
        List<Entry> cur = new ArrayList<>();
        long curBytes = 0;
        for (Entry e : entries.values()) {
            if (!cur.isEmpty() && curBytes + e.bytes() > maxShardBytes) {
                groups.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(e);
            curBytes += e.bytes();
        }
        if (!cur.isEmpty() || groups.isEmpty()) {
            groups.add(cur);
        }
        Files.createDirectories(dir);
        ObjectNode index = SafetensorsHeader.JSON.createObjectNode();
        ObjectNode meta = index.putObject("metadata");
        long total = entries.values().stream().mapToLong(Entry::bytes).sum();
        meta.put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            String shard = String.format("model-%05d-of-%05d.safetensors", i + 1, groups.size());
            Path p = dir.resolve(shard);
            writeFile(p, groups.get(i), metadata);
            written.add(p);
            for (Entry e : groups.get(i)) {
                weightMap.put(e.name(), shard);
            }
        }
        byte[] json = SafetensorsHeader.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index);
        AtomicFiles.write(dir.resolve(ShardedSafetensors.INDEX), AtomicFiles.bytes(json));
        return written;
    }

    private static void writeFile(Path file, List<Entry> list, Map<String, String> metadata) throws IOException {
        byte[] header = header(list, metadata);
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            DiskSpace.require(abs.getParent(), 8L + header.length + list.stream().mapToLong(Entry::bytes).sum(),
                    "safetensors file " + abs.getFileName());
        }
        AtomicFiles.write(file, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeAll(ch, len);
            writeAll(ch, ByteBuffer.wrap(header));
            for (Entry e : list) {
                HostAccess.writeTo(ch, e.storage(), 0, e.bytes());
            }
        });
    }

    /** The header JSON, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(List<Entry> list, Map<String, String> metadata) throws JsonProcessingException {
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject(SafetensorsHeader.METADATA);
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Entry e : list) {
            ObjectNode t = root.putObject(e.name());
            t.put("dtype", e.dtype().safetensorsName());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            ArrayNode off = t.putArray("data_offsets");
            off.add(offset);
            offset += e.bytes();
            off.add(offset);
        }
        byte[] json = SafetensorsHeader.JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (int) (Math.ceilDiv(json.length, 8) * 8L);
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeAll(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
