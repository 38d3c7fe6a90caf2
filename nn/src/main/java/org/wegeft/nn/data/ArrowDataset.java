package org.wegeft.nn.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Selected columns of an Arrow IPC file, in either the file format ({@code ARROW1} magic, footer) or the stream
 * format (what Hugging Face {@code datasets} keeps in its cache {@code *.arrow} shards), of a folder written by
 * {@code datasets}' {@code save_to_disk} (its shards in order, and its ClassLabel names), or of Parquet files (one
 * file, a glob, or a folder of shards as on the Hugging Face Hub; ClassLabel names from their {@code huggingface}
 * metadata), with random access by row. {@link DataPaths} says which paths name what.
 *
 * <p>Memory: {@link #open} reads the file one record batch at a time and copies only the selected columns into
 * heap arrays (encoded images as their PNG/JPEG bytes, raw images as their uint8 pixels, labels as {@code long});
 * no Arrow (off-heap) memory is held after it returns. A data set therefore costs about the size of its selected
 * columns on the heap (a 1,000-image VTAB-1k task of 224 px JPEGs: ~20 MB; the 1,000 8×8 digits PNGs: ~0.2 MB);
 * one column may hold at most 2 GiB (shard larger sets). Instances are immutable and safe to read from many
 * threads.
 *
 * <pre>
 * var ds = ArrowDataset.open(path, ColumnSpec.image("image"), ColumnSpec.integer("label"));
 * byte[] png = ds.bytes("image", 17);   long y = ds.integer("label", 17);
 * </pre>
 */
public final class ArrowDataset {
    private final Path file;
    private final Map<String, Column> columns;
    private final Map<String, List<String>> classNames;
    private final int rows;

    private ArrowDataset(Path file, Map<String, Column> columns, Map<String, List<String>> classNames) {
        this.file = file;
        this.columns = columns;
        this.classNames = classNames;
        int n = -1;
        for (var e : columns.entrySet()) {
            if (n >= 0 && e.getValue().rows() != n) {
                throw new DatasetException(file, e.getKey(), "has " + e.getValue().rows() + " rows, expected " + n);
            }
            n = e.getValue().rows();
        }
        this.rows = Math.max(n, 0);
    }

    /**
     * Opens {@code file} (an Arrow or Parquet file, a glob of them, a folder of Parquet files, or a
     * {@code save_to_disk} folder) and loads {@code columns}.
     *
     * @throws DatasetException when a file is truncated or malformed, a shard is missing, or a column is missing or
     *         of the wrong type
     */
    public static ArrowDataset open(Path file, ColumnSpec... columns) {
        return open(file, List.of(columns));
    }

    public static ArrowDataset open(Path file, List<ColumnSpec> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("select at least one column of " + file);
        }
        DataPaths.Resolved src = DataPaths.resolve(file);
        if (src.parquet()) {
            ParquetLoad.Loaded loaded = ParquetLoad.load(src.files(), columns);
            return new ArrowDataset(file, loaded.columns(), loaded.classNames());
        }
        return new ArrowDataset(file, ArrowLoad.load(src.files(), columns), src.classNames());
    }

    /**
     * The column names of the data set at {@code file} (of its first file), read from its schema alone.
     *
     * @throws DatasetException as {@link #open} does
     */
    public static List<String> columnNames(Path file) {
        DataPaths.Resolved src = DataPaths.resolve(file);
        Path first = src.files().getFirst();
        return src.parquet() ? ParquetLoad.columnNames(first) : ArrowLoad.columnNames(first);
    }

    /**
     * The class names a {@code save_to_disk} folder or a Parquet file's {@code huggingface} metadata gives an integer
     * column (its ClassLabel), else none.
     */
    public List<String> classNames(String column) {
        get(column);
        return classNames.getOrDefault(column, List.of());
    }

    public Path file() {
        return file;
    }

    /** Number of rows. */
    public int size() {
        return rows;
    }

    /** The selected column names, in the order given to {@link #open}. */
    public List<String> columnNames() {
        return List.copyOf(columns.keySet());
    }

    /** Whether an image column holds encoded images (HF struct {bytes, path}) rather than raw uint8 pixels. */
    public boolean isEncodedImage(String column) {
        return bytesColumn(column).encodedImage;
    }

    /** The bytes of an image column's value at {@code row}: encoded PNG/JPEG, or raw uint8 pixels. */
    public byte[] bytes(String column, int row) {
        Column.Bytes c = bytesColumn(column);
        checkRow(column, row);
        return java.util.Arrays.copyOfRange(c.data, c.offsets[row], c.offsets[row + 1]);
    }

    /** The {@code path} field of a Hugging Face image struct at {@code row} ("" when null or absent). */
    public String imagePath(String column, int row) {
        Column.Bytes c = bytesColumn(column);
        if (!c.encodedImage) {
            throw new DatasetException(file, column, "holds raw pixels, not Hugging Face image structs with paths");
        }
        checkRow(column, row);
        return c.paths.values[row];
    }

    /** Length in bytes of an image column's value at {@code row}. */
    public int byteLength(String column, int row) {
        Column.Bytes c = bytesColumn(column);
        checkRow(column, row);
        return c.length(row);
    }

    /**
     * Copies an image column's value at {@code row} into {@code dst} (no allocation) and returns its length.
     *
     * @throws DatasetException when {@code dst} is too short
     */
    public int readBytes(String column, int row, byte[] dst) {
        Column.Bytes c = bytesColumn(column);
        checkRow(column, row);
        int len = c.length(row);
        if (len > dst.length) {
            throw new DatasetException(file, column, "row " + row + " holds " + len + " bytes, buffer has "
                    + dst.length);
        }
        System.arraycopy(c.data, c.offsets[row], dst, 0, len);
        return len;
    }

    /** An integer column's value at {@code row}. */
    public long integer(String column, int row) {
        if (!(get(column) instanceof Column.Longs c)) {
            throw new DatasetException(file, column, "is not an integer column");
        }
        checkRow(column, row);
        return c.values[row];
    }

    /**
     * A message-list column's value at {@code row}: each message's fields, {@code role} and {@code content} first,
     * then any other string fields it has (null ones left out).
     */
    public List<Map<String, String>> messages(String column, int row) {
        if (!(get(column) instanceof Column.Messages c)) {
            throw new DatasetException(file, column, "is not a message-list column");
        }
        checkRow(column, row);
        return c.values.get(row);
    }

    /** A string column's value at {@code row}. */
    public String string(String column, int row) {
        if (!(get(column) instanceof Column.Strings c)) {
            throw new DatasetException(file, column, "is not a string column");
        }
        checkRow(column, row);
        return c.values[row];
    }

    /**
     * The class count of an integer label column: the largest value plus one, or the number of its class names
     * when there are more.
     */
    public int numClasses(String column) {
        long max = classNames(column).size() - 1;
        for (int r = 0; r < rows; r++) {
            max = Math.max(max, integer(column, r));
        }
        return Math.toIntExact(max + 1);
    }

    private Column get(String column) {
        Column c = columns.get(column);
        if (c == null) {
            throw new DatasetException(file, column, "was not selected when opening (selected: "
                    + columns.keySet() + ")");
        }
        return c;
    }

    private Column.Bytes bytesColumn(String column) {
        if (!(get(column) instanceof Column.Bytes c)) {
            throw new DatasetException(file, column, "is not an image column");
        }
        return c;
    }

    private void checkRow(String column, int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException(file + ": column '" + column + "': row " + row + " of " + rows);
        }
    }

    @Override
    public String toString() {
        return "ArrowDataset[" + file + ", " + rows + " rows, columns " + columns.keySet() + "]";
    }
}
