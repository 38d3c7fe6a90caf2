package org.wegeft.nn.train;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WegeftInputException;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.ShardedSafetensors;

/**
 * Checks a checkpoint, adapter or model folder (or one file) without loading it: the sizes and CRC32C checksums a
 * {@code manifest.json} lists, every safetensors header (valid, and every tensor's data inside its file), every
 * safetensors index (its shards exist and hold the tensors it maps), every other JSON file (it parses, strictly),
 * and a checkpoint's trainer state. Sub-folders are checked in turn; hidden ones (interrupted writes) and files of
 * other formats are left alone.
 */
public final class FolderVerifier {
    /** The verdict on one file: {@code problem} is null when it passed, {@code detail} says what was checked. */
    public record FileCheck(Path file, String detail, @Nullable String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private FolderVerifier() {
    }

    /**
     * Checks {@code path}, a folder (recursively) or one file, returning one verdict per file checked, in path order.
     * @throws UncheckedIOException when a folder cannot be listed
     */
    public static List<FileCheck> verify(Path path) {
        List<FileCheck> out = new ArrayList<>();
        if (Files.isDirectory(path)) {
            folder(path, out);
        } else {
            out.add(file(path, null));
        }
        return out;
    }

    private static void folder(Path dir, List<FileCheck> out) {
        @Nullable Map<String, CheckpointManifest.Entry> manifest = null;
        if (Files.isRegularFile(dir.resolve(CheckpointManifest.FILE))) {
            try {
                manifest = CheckpointManifest.read(dir);
                out.add(new FileCheck(dir.resolve(CheckpointManifest.FILE), "manifest of " + manifest.size()
                        + " files", null));
                for (String f : manifest.keySet()) {
                    if (!Files.isRegularFile(dir.resolve(f))) {
                        out.add(new FileCheck(dir.resolve(f), "", "is missing (listed in " + CheckpointManifest.FILE
                                + ")"));
                    }
                }
            } catch (CheckpointCorruptException e) {
                out.add(new FileCheck(dir.resolve(CheckpointManifest.FILE), "", problem(e, dir.resolve(
                        CheckpointManifest.FILE))));
            }
        }
        if (manifest == null && Files.isRegularFile(dir.resolve(Checkpoint.STATE))) {       // an older checkpoint
            for (String f : List.of(Checkpoint.TRAINABLE, Checkpoint.OPTIMIZER)) {
                if (!Files.isRegularFile(dir.resolve(f))) {
                    out.add(new FileCheck(dir.resolve(f), "", "is missing (a checkpoint folder needs it)"));
                }
            }
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir + " failed", e);
        }
        List<Path> folders = new ArrayList<>();
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (Files.isDirectory(p)) {
                folders.add(p);
            } else if (!name.equals(CheckpointManifest.FILE) && checkable(name)) {
                out.add(file(p, manifest == null ? null : manifest.get(name)));
            }
        }
        folders.forEach(f -> folder(f, out));
    }

    private static boolean checkable(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".json");
    }

    /** One file, against its manifest entry when it has one. */
    private static FileCheck file(Path f, CheckpointManifest.@Nullable Entry listed) {
        String name = f.getFileName() == null ? f.toString() : f.getFileName().toString();
        List<String> done = new ArrayList<>();
        try {
            if (!Files.isRegularFile(f)) {
                return new FileCheck(f, "", "is missing or not a file");
            }
            if (listed != null) {
                String bad = CheckpointManifest.mismatch(f, listed);
                if (bad != null) {
                    return new FileCheck(f, "", bad);
                }
                done.add("size and CRC32C match the manifest");
            }
            if (name.endsWith(".safetensors")) {
                try (SafetensorsFile sf = SafetensorsFile.open(f)) {
                    done.add(0, sf.tensors().size() + " tensors, header and data offsets fit the " + Files.size(f)
                            + "-byte file");
                }
            } else if (name.endsWith(".index.json")) {
                try (ShardedSafetensors st = ShardedSafetensors.open(f)) {
                    done.add(0, "index of " + st.tensors().size() + " tensors in " + st.shards().size()
                            + " shard(s), all present");
                }
            } else if (name.equals(Checkpoint.STATE)) {
                Checkpoint.readState(f.getParent());
                done.add(0, "trainer state parses");
            } else {
                JSON.readTree(f.toFile());
                done.add(0, "JSON parses");
            }
            return new FileCheck(f, String.join("; ", done), null);
        } catch (WegeftInputException e) {
            return new FileCheck(f, "", problem(e, f));
        } catch (IOException e) {
            return new FileCheck(f, "", "does not parse: " + firstLine(e.getMessage()));
        } catch (UncheckedIOException e) {
            return new FileCheck(f, "", "does not parse: " + firstLine(e.getCause().getMessage()));
        }
    }

    /** The exception's message without a leading repetition of the file's path. */
    private static String problem(RuntimeException e, Path f) {
        String m = String.valueOf(e.getMessage());
        String p = f.toString();
        if (m.startsWith(p)) {
            m = m.substring(p.length()).replaceFirst("^[:\\s]+", "");
        }
        return m;
    }

    private static String firstLine(@Nullable String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
