package org.wegeft.nn.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * {@code manifest.json} of a checkpoint folder: the byte size and CRC32C of every other file, written last (before
 * the folder is renamed into place), so a folder whose files were truncated or altered afterwards is recognised.
 *
 * <pre>
 *   {"format": "wegeft-checkpoint", "version": 1,
 *    "files": {"trainable.safetensors": {"size": 1234, "crc32c": "89abcdef"}, ...}}
 * </pre>
 */
public final class CheckpointManifest {
    /** The manifest's file name inside a checkpoint folder. */
    public static final String FILE = "manifest.json";
    private static final String FORMAT = "wegeft-checkpoint";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Size and checksum of one file. */
    public record Entry(long size, long crc32c) {
    }

    private CheckpointManifest() {
    }

    /** Writes {@code dir/manifest.json} listing {@code files} (names inside {@code dir}) with their sizes and checksums. */
    public static void write(Path dir, List<String> files) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("version", 1);
        ObjectNode list = root.putObject("files");
        for (String f : files) {
            Entry e = measure(dir.resolve(f));
            list.putObject(f).put("size", e.size()).put("crc32c", String.format("%08x", e.crc32c()));
        }
        Files.write(dir.resolve(FILE), JSON.writeValueAsBytes(root));
    }

    /**
     * The entries of {@code dir/manifest.json} by file name.
     * @throws CheckpointCorruptException naming the manifest when it does not parse
     */
    public static Map<String, Entry> read(Path dir) {
        Path file = dir.resolve(FILE);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointCorruptException(file, "does not parse as JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()) || !root.path("files").isObject()) {
            throw new CheckpointCorruptException(file, "is not a checkpoint manifest (format \"" + FORMAT
                    + "\" with a \"files\" object)");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : root.path("files").properties()) {
            JsonNode size = f.getValue().path("size");
            String crc = f.getValue().path("crc32c").asText("");
            if (!size.canConvertToLong() || size.asLong() < 0 || !crc.matches("[0-9a-f]{8}")) {
                throw new CheckpointCorruptException(file, "entry '" + f.getKey() + "' needs a size and an 8-digit"
                        + " hexadecimal crc32c");
            }
            if (f.getKey().contains("/") || f.getKey().contains("\\") || f.getKey().startsWith(".")) {
                throw new CheckpointCorruptException(file, "entry '" + f.getKey() + "' is not a file of the folder");
            }
            out.put(f.getKey(), new Entry(size.asLong(), Long.parseLong(crc, 16)));
        }
        return out;
    }

    /**
     * Checks every file the manifest lists (present, of its size, of its checksum) and that {@code required} are listed.
     * @return the files checked, by name, with their entries
     * @throws CheckpointCorruptException naming the first file that fails and why
     */
    public static Map<String, Entry> verify(Path dir, List<String> required) {
        Map<String, Entry> entries = read(dir);
        for (String r : required) {
            if (!entries.containsKey(r)) {
                throw new CheckpointCorruptException(dir.resolve(FILE), "does not list " + r);
            }
        }
        for (var e : entries.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                throw new CheckpointCorruptException(f, "is missing (listed in " + FILE + ")");
            }
            String bad;
            try {
                bad = mismatch(f, e.getValue());
            } catch (IOException io) {
                throw new CheckpointCorruptException(f, "cannot be read: " + io.getMessage());
            }
            if (bad != null) {
                throw new CheckpointCorruptException(f, bad);
            }
        }
        return entries;
    }

    /**
     * How {@code file} differs from its manifest entry ({@code "has 1000 bytes, manifest.json says 656536"}, or a
     * CRC32C mismatch), or null when it matches. The size is compared first, without reading the file.
     */
    static @Nullable String mismatch(Path file, Entry listed) throws IOException {
        long size = Files.size(file);
        if (size != listed.size()) {
            return "has " + size + " bytes, " + FILE + " says " + listed.size();
        }
        Entry actual = measure(file);
        if (actual.crc32c() != listed.crc32c()) {
            return String.format("has CRC32C %08x, %s says %08x", actual.crc32c(), FILE, listed.crc32c());
        }
        return null;
    }

    /** Size and CRC32C of a file, read in 1 MiB blocks. */
    static Entry measure(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        long size = 0;
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                crc.update(buf, 0, n);
                size += n;
            }
        }
        return new Entry(size, crc.getValue());
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return s == null ? "" : nl < 0 ? s : s.substring(0, nl);
    }
}
