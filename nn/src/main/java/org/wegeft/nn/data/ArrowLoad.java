package org.wegeft.nn.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads the selected columns of an Arrow IPC file into heap arrays, one record batch at a time (so at most one
 * record batch is held off-heap while loading, and nothing once {@link #load} returns).
 */
final class ArrowLoad {
    private static final byte[] FILE_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private ArrowLoad() {}

    /** Whether {@code file} starts with the Arrow file-format magic (otherwise it is read as a stream). */
    static boolean isFileFormat(FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(FILE_MAGIC.length);
        ch.read(head, 0);
        return head.position() == FILE_MAGIC.length && java.util.Arrays.equals(head.array(), FILE_MAGIC);
    }

    /** A stream must end with the end-of-stream marker (0xFFFFFFFF 0x00000000, or the legacy 4 zero bytes). */
    private static boolean endsWithEos(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            return false;
        }
        ByteBuffer tail = ByteBuffer.allocate(8);
        ch.read(tail, size - 8);
        byte[] t = tail.array();
        boolean modern = t[0] == -1 && t[1] == -1 && t[2] == -1 && t[3] == -1
                && t[4] == 0 && t[5] == 0 && t[6] == 0 && t[7] == 0;
        boolean legacy = t[4] == 0 && t[5] == 0 && t[6] == 0 && t[7] == 0;
        return modern || legacy;
    }

    /** The JVM flags Apache Arrow needs on this Java to reach direct memory. */
    static final String JVM_FLAGS = "--add-opens=java.base/java.nio=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow";

    /** Whether {@code e} is Arrow finding no way to direct memory (the JVM lacks {@link #JVM_FLAGS}), not bad data. */
    static boolean lacksMemoryAccess(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof UnsupportedOperationException && (m.contains("DirectByteBuffer.<init>")
                    || m.contains("sun.misc.Unsafe"))) {
                return true;
            }
        }
        return false;
    }

    /** The top-level column names of an Arrow file. */
    static List<String> columnNames(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                BufferAllocator alloc = new RootAllocator(2 * ch.size() + (1 << 20));
                ArrowReader reader = isFileFormat(ch) ? new ArrowFileReader(ch, alloc)
                        : new ArrowStreamReader(ch, alloc)) {
            return reader.getVectorSchemaRoot().getSchema().getFields().stream().map(Field::getName).toList();
        } catch (IOException | RuntimeException e) {
            throw failure(file, null, e);
        }
    }

    /** What a failure reading {@code file} means: the JVM lacks Arrow's flags, or the data is bad. */
    private static RuntimeException failure(Path file, @org.jspecify.annotations.Nullable String column,
            Exception e) {
        if (lacksMemoryAccess(e)) {
            return new MissingJvmFlagsException(JVM_FLAGS, "reading Arrow data (" + file + "): Apache Arrow reaches"
                    + " direct memory through Unsafe and java.nio, which", e);
        }
        return new DatasetException(file, column, "truncated or malformed Arrow data (" + e + ")", e);
    }

    /** The selected columns of {@code files}, one after the other (the shards of one data set), in one set. */
    static Map<String, Column> load(List<Path> files, List<ColumnSpec> specs) {
        Map<String, Column> out = new LinkedHashMap<>();
        for (Path file : files) {
            load(file, specs, out);
        }
        return out;
    }

    private static void load(Path file, List<ColumnSpec> specs, Map<String, Column> out) {
        String current = null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                // every buffer of an IPC body lies inside the file: a declared size beyond it is malformed
                // input, rejected by the allocator's limit before any memory is reserved
                BufferAllocator alloc = new RootAllocator(2 * ch.size() + (1 << 20))) {
            boolean fileFormat = isFileFormat(ch);
            if (!fileFormat && !endsWithEos(ch)) {
                throw new DatasetException(file, null, "truncated or malformed Arrow data: neither the Arrow file"
                        + " format (no ARROW1 magic) nor a complete Arrow stream (no end-of-stream marker)");
            }
            if (!fileFormat) {
                ArrowBounds.checkStream(file, ch, 0);
            }
            try (ArrowReader reader = fileFormat ? new ArrowFileReader(ch, alloc) : new ArrowStreamReader(ch, alloc)) {
                if (reader instanceof ArrowFileReader fr) {
                    ArrowBounds.checkBlocks(file, ch, fr);
                }
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                Schema schema = root.getSchema();
                for (ColumnSpec spec : specs) {
                    Column c = newColumn(file, schema, spec);
                    Column earlier = out.putIfAbsent(spec.name(), c);
                    if (earlier != null && (earlier.getClass() != c.getClass() || earlier instanceof Column.Bytes b
                            && b.encodedImage != ((Column.Bytes) c).encodedImage)) {
                        throw new DatasetException(file, spec.name(), "has another type than in the shards before");
                    }
                }
                while (reader.loadNextBatch()) {
                    for (ColumnSpec spec : specs) {
                        current = spec.name();
                        // offsets, lengths and the row count must fit the buffers before any value is read:
                        // a corrupt string length would otherwise be allocated (up to 2 GB) before it is checked
                        ArrowBounds.checkVector(root.getVector(spec.name()), root.getRowCount());
                        append(file, spec.name(), root.getVector(spec.name()), root.getRowCount(),
                                out.get(spec.name()));
                    }
                    current = null;
                }
            }
        } catch (DatasetException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw failure(file, current, e);
        } catch (StackOverflowError e) {
            // Arrow converts the schema's flatbuffer fields recursively; a cyclic or absurdly deep field tree in
            // a hostile file recurses without end (found by Jazzer). The stack has unwound by the time we get here.
            throw new DatasetException(file, current, "malformed Arrow schema: field tree is cyclic or nested too"
                    + " deeply");
        } catch (AssertionError e) {
            // with -ea Arrow's own consistency asserts (e.g. a record batch's lengths against its buffers) fire on a
            // hostile file before our bounds check does (found by Jazzer); the verdict is the same
            throw new DatasetException(file, current, "malformed Arrow record batch (" + e + ")", e);
        }
    }

    private static Column newColumn(Path file, Schema schema, ColumnSpec spec) {
        Field field = schema.getFields().stream().filter(f -> f.getName().equals(spec.name())).findFirst()
                .orElseThrow(() -> new DatasetException(file, spec.name(), "no such column (columns: "
                        + schema.getFields().stream().map(Field::getName).toList() + ")"));
        if (field.getDictionary() != null) {
            throw new DatasetException(file, spec.name(), "dictionary-encoded columns are not supported");
        }
        ArrowType t = field.getType();
        Column c = switch (spec.kind()) {
            case IMAGE -> switch (t) {
                case ArrowType.Struct s when isHfImage(field) -> new Column.Bytes(true);
                case ArrowType.Binary b -> new Column.Bytes(false);
                case ArrowType.LargeBinary b -> new Column.Bytes(false);
                case ArrowType.List l when isUint8(field.getChildren().getFirst()) -> new Column.Bytes(false);
                case ArrowType.FixedSizeList l when isUint8(field.getChildren().getFirst()) -> new Column.Bytes(false);
                default -> null;
            };
            case INTEGER -> t instanceof ArrowType.Int ? new Column.Longs() : null;
            case STRING -> t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8 ? new Column.Strings() : null;
            case MESSAGES -> t instanceof ArrowType.List && isMessage(field.getChildren().getFirst())
                    ? new Column.Messages() : null;
        };
        if (c == null) {
            throw new DatasetException(file, spec.name(), "has type " + describe(field) + ", expected " + expected(
                    spec.kind()));
        }
        return c;
    }

    private static String expected(ColumnKind kind) {
        return switch (kind) {
            case IMAGE -> "an image column (struct<bytes: binary, path: string>, binary, list<uint8>"
                    + " or fixed_size_list<uint8>)";
            case INTEGER -> "an integer column (int8..int64)";
            case STRING -> "a string column (utf8)";
            case MESSAGES -> "a message list (list<struct<role: string, content: string>>)";
        };
    }

    private static String describe(Field f) {
        if (f.getChildren().isEmpty()) {
            return f.getType().toString();
        }
        return f.getType() + "<" + String.join(", ", f.getChildren().stream().map(c -> c.getName() + ": "
                + describe(c)).toList()) + ">";
    }

    private static boolean isHfImage(Field f) {
        Field bytes = null;
        for (Field c : f.getChildren()) {
            if (c.getName().equals("bytes")) {
                bytes = c;
            }
        }
        return bytes != null && (bytes.getType() instanceof ArrowType.Binary
                || bytes.getType() instanceof ArrowType.LargeBinary);
    }

    private static boolean isMessage(Field element) {
        java.util.Set<String> strings = new java.util.HashSet<>();
        for (Field c : element.getChildren()) {
            if (c.getType() instanceof ArrowType.Utf8 || c.getType() instanceof ArrowType.LargeUtf8) {
                strings.add(c.getName());
            }
        }
        return element.getType() instanceof ArrowType.Struct && strings.contains("role")
                && strings.contains("content");
    }

    private static boolean isUint8(Field f) {
        return f.getType() instanceof ArrowType.Int i && i.getBitWidth() == 8;
    }

    private static void append(Path file, String name, FieldVector v, int rows, Column col) {
        switch (col) {
            case Column.Longs longs -> {
                BaseIntVector iv = (BaseIntVector) v;
                for (int r = 0; r < rows; r++) {
                    if (v.isNull(r)) {
                        throw new DatasetException(file, name, "null value in row " + longs.rows);
                    }
                    longs.add(iv.getValueAsLong(r));
                }
            }
            case Column.Strings strings -> {
                for (int r = 0; r < rows; r++) {
                    byte[] b = v instanceof VarCharVector s ? s.get(r) : ((LargeVarCharVector) v).get(r);
                    strings.add(b == null ? "" : new String(b, StandardCharsets.UTF_8));
                }
            }
            case Column.Bytes bytes -> appendBytes(file, name, v, rows, bytes);
            case Column.Messages messages -> appendMessages(file, name, (ListVector) v, rows, messages);
        }
    }

    /** Each row's list of structs as messages; string fields other than role and content are kept as extras. */
    private static void appendMessages(Path file, String name, ListVector v, int rows, Column.Messages col) {
        StructVector items = (StructVector) v.getDataVector();
        for (int r = 0; r < rows; r++) {
            int row = col.rows();
            if (v.isNull(r)) {
                throw new DatasetException(file, name, "null value in row " + row);
            }
            List<Map<String, String>> conversation = new java.util.ArrayList<>();
            for (int i = v.getElementStartIndex(r), k = 0; i < v.getElementEndIndex(r); i++, k++) {
                if (items.isNull(i)) {
                    throw new DatasetException(file, name, "row " + row + ": message " + k + " is null");
                }
                Map<String, String> fields = new LinkedHashMap<>();
                for (FieldVector f : items.getChildrenFromFields()) {
                    byte[] b = f instanceof VarCharVector s ? s.get(i)
                            : f instanceof LargeVarCharVector ls ? ls.get(i) : null;
                    if (b != null) {
                        fields.put(f.getName(), new String(b, StandardCharsets.UTF_8));
                    }
                }
                conversation.add(Column.Messages.message(file, name, row, k, fields));
            }
            col.values.add(List.copyOf(conversation));
        }
    }

    private static void appendBytes(Path file, String name, FieldVector v, int rows, Column.Bytes col) {
        Runnable overflow = () -> {
            throw new DatasetException(file, name, "more than 2 GiB of bytes; split the file into shards");
        };
        for (int r = 0; r < rows; r++) {
            FieldVector src = v instanceof StructVector s ? (FieldVector) s.getChild("bytes") : v;
            String path = "";
            if (v instanceof StructVector s && !v.isNull(r)) {
                byte[] p = s.getChild("path") instanceof VarCharVector pv ? pv.get(r)
                        : s.getChild("path") instanceof LargeVarCharVector lpv ? lpv.get(r) : null;
                path = p == null ? "" : new String(p, StandardCharsets.UTF_8);
            }
            if (v.isNull(r) || src.isNull(r) && path.isEmpty()) {
                throw new DatasetException(file, name, "null value in row " + col.rows);
            }
            if (v instanceof StructVector) {
                col.paths.add(path);
            }
            if (src.isNull(r)) {      // an HF image with only a path: the file, relative to the data file's folder
                put(col, imageFile(file, name, col.rows, path), overflow);
                continue;
            }
            switch (src) {
                case VarBinaryVector b -> put(col, b.get(r), overflow);
                case LargeVarBinaryVector b -> put(col, b.get(r), overflow);
                case ListVector l -> copyRange(col, (BaseFixedWidthVector) l.getDataVector(),
                        l.getElementStartIndex(r), l.getElementEndIndex(r), overflow);
                case FixedSizeListVector l -> copyRange(col, (BaseFixedWidthVector) l.getDataVector(),
                        (long) r * l.getListSize(), (long) (r + 1) * l.getListSize(), overflow);
                default -> throw new DatasetException(file, name, "unsupported vector " + src.getClass().getName());
            }
        }
    }

    /** The bytes of an HF image given only by its path, relative to the data file's folder. */
    static byte[] imageFile(Path file, String column, int row, String path) {
        Path dir = file.toAbsolutePath().getParent();
        Path image = dir == null ? Path.of(path) : dir.resolve(path);
        try {
            return Files.readAllBytes(image);
        } catch (IOException e) {
            throw new DatasetException(file, column, "row " + row + ": no bytes, and its path " + path
                    + " cannot be read (" + image + ": " + e.getMessage() + ")", e);
        }
    }

    private static void put(Column.Bytes col, byte[] value, Runnable overflow) {
        int start = col.reserve(value.length, overflow);
        System.arraycopy(value, 0, col.data, start, value.length);
    }

    private static void copyRange(Column.Bytes col, BaseFixedWidthVector data, long from, long to, Runnable overflow) {
        int len = Math.toIntExact(to - from);
        int start = col.reserve(len, overflow);
        data.getDataBuffer().getBytes(from, col.data, start, len);
    }
}
