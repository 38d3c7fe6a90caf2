package org.wegeft.nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a data path names, as {@link ArrowDataset#open} reads it: one Arrow or Parquet file; a glob in the file
 * name ({@code data/train-*.parquet}); a folder of Parquet files (the Hugging Face Hub's {@code data/} layout),
 * read in name order; or a {@code save_to_disk} folder. Shards of a {@code NAME-0000K-of-0000N} series must all be
 * there, and a folder or glob must hold only one such series (not {@code train-…} and {@code test-…} together).
 */
public final class DataPaths {
    private static final Pattern SERIES = Pattern.compile("(.*)-(\\d+)-of-(\\d+)\\.(parquet|arrow)");
    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private DataPaths() {}

    /** The files of a data set, in row order, their format, and a {@code save_to_disk} folder's class names. */
    record Resolved(boolean parquet, List<Path> files, Map<String, List<String>> classNames) {}

    /** Whether the file name of {@code path} is a glob pattern ({@code *}, {@code ?}, {@code [} or {@code {}). */
    public static boolean isGlob(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** Whether {@code path} names a table (Arrow or Parquet file, folder, or glob) rather than a JSON file. */
    public static boolean isTable(Path path) {
        String name = String.valueOf(path.getFileName()).toLowerCase(Locale.ROOT);
        return name.endsWith(".arrow") || name.endsWith(".parquet") || isGlob(path) || Files.isDirectory(path);
    }

    static Resolved resolve(Path path) {
        if (isGlob(path)) {
            return ofFiles(path, glob(path));
        }
        if (Files.isDirectory(path)) {
            List<Path> parquet = list(path, p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".parquet"));
            if (parquet.isEmpty() || Files.exists(path.resolve("state.json"))
                    || Files.exists(path.resolve("dataset_dict.json"))) {
                SavedDataset saved = SavedDataset.read(path);
                return new Resolved(false, saved.shards(), saved.classNames());
            }
            return ofFiles(path, parquet);
        }
        if (!Files.isRegularFile(path)) {
            throw new DatasetException(path, null, "no such file");
        }
        return new Resolved(isParquet(path), List.of(path), Map.of());
    }

    private static Resolved ofFiles(Path path, List<Path> files) {
        boolean parquet = isParquet(files.getFirst());
        for (Path f : files) {
            if (isParquet(f) != parquet) {
                throw new DatasetException(path, null, "mixes Parquet and Arrow files: " + names(files));
            }
        }
        checkSeries(path, files);
        return new Resolved(parquet, files, Map.of());
    }

    /** Parquet by its name, else by its leading magic bytes {@code PAR1}. */
    private static boolean isParquet(Path file) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(PARQUET_MAGIC.length), PARQUET_MAGIC);
        } catch (IOException e) {
            throw new DatasetException(file, null, "cannot read: " + e.getMessage(), e);
        }
    }

    private static List<Path> glob(Path pattern) {
        Path dir = pattern.toAbsolutePath().getParent();
        if (isGlob(dir)) {
            throw new DatasetException(pattern, null, "only the file name may be a glob pattern, not its folder");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(pattern, null, "no such folder: " + dir);
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName());
        Path parent = pattern.getParent();
        List<Path> files = list(dir, p -> m.matches(p.getFileName())).stream()
                .map(p -> parent == null ? p.getFileName() : parent.resolve(p.getFileName())).toList();
        if (files.isEmpty()) {
            throw new DatasetException(pattern, null, "no file matches");
        }
        return files;
    }

    private static List<Path> list(Path dir, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(keep).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException(dir, null, "cannot list: " + e.getMessage(), e);
        }
    }

    /** Every shard of a {@code NAME-K-of-N} series is there, and there is one series at most. */
    private static void checkSeries(Path path, List<Path> files) {
        Map<String, TreeSet<Integer>> found = new TreeMap<>();
        Map<String, Integer> totals = new TreeMap<>();
        Map<String, String> widths = new TreeMap<>();
        for (Path f : files) {
            Matcher m = SERIES.matcher(f.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            int total = Integer.parseInt(m.group(3));
            Integer earlier = totals.putIfAbsent(m.group(1), total);
            if (earlier != null && earlier != total) {
                throw new DatasetException(path, null, "shards of '" + m.group(1) + "' disagree on their count ("
                        + earlier + " and " + total + "): " + names(files));
            }
            found.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
            widths.put(m.group(1), "%0" + m.group(2).length() + "d-of-" + m.group(3) + "." + m.group(4));
        }
        if (found.size() > 1) {
            throw new DatasetException(path, null, "holds several shard series " + found.keySet()
                    + "; give one of them as a glob, such as '" + found.keySet().iterator().next() + "-*' in its"
                    + " folder");
        }
        for (var e : found.entrySet()) {
            List<String> missing = new ArrayList<>();
            for (int k = 0; k < totals.get(e.getKey()); k++) {
                if (!e.getValue().contains(k)) {
                    missing.add(e.getKey() + "-" + String.format(Locale.ROOT, widths.get(e.getKey()), k));
                }
            }
            if (!missing.isEmpty()) {
                throw new DatasetException(path, null, "shard " + String.join(", ", missing) + " is missing (found "
                        + names(files) + ")");
            }
        }
    }

    private static List<String> names(List<Path> files) {
        return files.stream().map(f -> f.getFileName().toString()).toList();
    }
}
