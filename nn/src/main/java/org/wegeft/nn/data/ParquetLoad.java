package org.wegeft.nn.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.jspecify.annotations.Nullable;

/**
 * Reads the selected columns of Parquet files into heap arrays, one row group at a time, through parquet-java
 * (only the selected columns' pages are read). Hugging Face's ClassLabel names come from the {@code huggingface}
 * key-value metadata {@code datasets} writes into the footer.
 */
final class ParquetLoad {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ParquetLoad() {}

    /** The columns of {@code files} (one after the other) and the ClassLabel names of the first file. */
    record Loaded(Map<String, Column> columns, Map<String, List<String>> classNames) {}

    static Loaded load(List<Path> files, List<ColumnSpec> specs) {
        Map<String, Column> out = new LinkedHashMap<>();
        @Nullable Map<String, List<String>> names = null;
        for (Path file : files) {
            Map<String, List<String>> n = load(file, specs, out);
            names = names == null ? n : names;
        }
        return new Loaded(out, names == null ? Map.of() : names);
    }

    /** The top-level column names of {@code file}. */
    static List<String> columnNames(Path file) {
        try (ParquetFileReader r = open(file)) {
            return r.getFooter().getFileMetaData().getSchema().getFields().stream().map(Type::getName).toList();
        } catch (IOException | RuntimeException e) {
            throw corrupt(file, null, e);
        }
    }

    /** A reader of {@code file} whose pages decompress to at most the largest column chunk its footer declares. */
    private static ParquetFileReader open(Path file) throws IOException {
        ParquetCodecs codecs = new ParquetCodecs();
        ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
                ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(codecs).build());
        try {
            long maxChunk = 0;
            for (BlockMetaData b : r.getFooter().getBlocks()) {
                for (ColumnChunkMetaData c : b.getColumns()) {
                    maxChunk = Math.max(maxChunk, c.getTotalUncompressedSize());
                }
            }
            long limit = Math.min(Integer.MAX_VALUE - 16, Runtime.getRuntime().maxMemory() / 4);
            if (maxChunk > limit) {
                throw new DatasetException(file, null, "a column chunk declares " + maxChunk + " bytes uncompressed,"
                        + " more than " + limit + " that fit in memory; write smaller row groups");
            }
            codecs.bound(maxChunk);
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static Map<String, List<String>> load(Path file, List<ColumnSpec> specs, Map<String, Column> out) {
        @Nullable String current = null;
        try (ParquetFileReader r = open(file)) {
            var meta = r.getFooter().getFileMetaData();
            MessageType schema = meta.getSchema();
            List<Type> selected = new ArrayList<>();
            for (ColumnSpec spec : specs) {
                if (!schema.containsField(spec.name())) {
                    throw new DatasetException(file, spec.name(), "no such column (columns: "
                            + schema.getFields().stream().map(Type::getName).toList() + ")");
                }
                Type type = schema.getType(spec.name());
                Column c = newColumn(file, type, spec);
                Column earlier = out.putIfAbsent(spec.name(), c);
                if (earlier != null && (earlier.getClass() != c.getClass() || earlier instanceof Column.Bytes b
                        && b.encodedImage != ((Column.Bytes) c).encodedImage)) {
                    throw new DatasetException(file, spec.name(), "has another type than in the files before");
                }
                selected.add(type);
            }
            MessageType projection = new MessageType(schema.getName(), selected);
            r.setRequestedSchema(projection);
            var io = new ColumnIOFactory().getColumnIO(projection, schema);
            PageReadStore pages;
            while ((pages = r.readNextRowGroup()) != null) {
                RecordReader<Group> rows = io.getRecordReader(pages, new GroupRecordConverter(projection));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    Group g = rows.read();
                    for (ColumnSpec spec : specs) {
                        current = spec.name();
                        append(file, spec.name(), g, out.get(spec.name()));
                    }
                    current = null;
                }
            }
            return classNames(file, meta.getKeyValueMetaData().get("huggingface"));
        } catch (DatasetException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw corrupt(file, current, e);
        }
    }

    private static DatasetException corrupt(Path file, @Nullable String column, Exception e) {
        return new DatasetException(file, column, "not a readable Parquet file (" + e + ")", e);
    }

    /** ClassLabel names from the {@code huggingface} footer metadata ({@code {"info": {"features": …}}}). */
    private static Map<String, List<String>> classNames(Path file, @Nullable String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            JsonNode root = JSON.readTree(json);
            return root == null ? Map.of() : SavedDataset.classNames(root.path("info").path("features"));
        } catch (IOException e) {
            throw new DatasetException(file, null, "its 'huggingface' metadata is not valid JSON: " + e.getMessage(),
                    e);
        }
    }

    private static Column newColumn(Path file, Type t, ColumnSpec spec) {
        Column c = switch (spec.kind()) {
            case IMAGE -> t.isPrimitive() ? (isBinary(t) && !isString(t) ? new Column.Bytes(false) : null)
                    : hasBinary(t.asGroupType(), "bytes") ? new Column.Bytes(true) : null;
            case INTEGER -> isInteger(t) ? new Column.Longs() : null;
            case STRING -> isString(t) ? new Column.Strings() : null;
            case MESSAGES -> messageType(t) != null ? new Column.Messages() : null;
        };
        if (c == null || t.isRepetition(Type.Repetition.REPEATED)) {
            throw new DatasetException(file, spec.name(), "has type " + t.toString().strip().replaceAll("\\s+", " ")
                    + ", expected " + expected(spec.kind()));
        }
        return c;
    }

    private static String expected(ColumnKind kind) {
        return switch (kind) {
            case IMAGE -> "an image column (group {binary bytes; binary path (STRING)}, or binary)";
            case INTEGER -> "an integer column (int32 or int64)";
            case STRING -> "a string column (binary (STRING))";
            case MESSAGES -> "a message list (list of group {binary role (STRING); binary content (STRING)})";
        };
    }

    private static boolean isBinary(Type t) {
        return t.isPrimitive() && t.asPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY;
    }

    private static boolean isString(Type t) {
        return isBinary(t) && t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
    }

    private static boolean isInteger(Type t) {
        if (!t.isPrimitive()) {
            return false;
        }
        PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
        var logical = t.getLogicalTypeAnnotation();
        return (p == PrimitiveTypeName.INT32 || p == PrimitiveTypeName.INT64)
                && (logical == null || logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation);
    }

    private static boolean hasBinary(GroupType g, String field) {
        return g.containsField(field) && isBinary(g.getType(field));
    }

    /**
     * The message struct of a list column: the three-level list Parquet writers use ({@code group (LIST) {repeated
     * group list {group element {…}}}}) or the legacy two-level one ({@code repeated group {…}}); null when
     * {@code t} is no list of structs with string {@code role} and {@code content}.
     */
    private static @Nullable GroupType messageType(Type t) {
        if (t.isPrimitive() || t.asGroupType().getFieldCount() != 1) {
            return null;
        }
        Type repeated = t.asGroupType().getType(0);
        if (!repeated.isRepetition(Type.Repetition.REPEATED) || repeated.isPrimitive()) {
            return null;
        }
        GroupType item = repeated.asGroupType();
        if (item.getFieldCount() == 1 && !item.getType(0).isPrimitive()) {
            item = item.getType(0).asGroupType();
        }
        return item.containsField("role") && isString(item.getType("role")) && item.containsField("content")
                && isString(item.getType("content")) ? item : null;
    }

    private static void append(Path file, String name, Group g, Column col) {
        boolean present = g.getFieldRepetitionCount(name) > 0;
        switch (col) {
            case Column.Longs longs -> {
                if (!present) {
                    throw new DatasetException(file, name, "null value in row " + longs.rows);
                }
                var p = g.getType().getType(name).asPrimitiveType();
                boolean unsigned = p.getLogicalTypeAnnotation()
                        instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned();
                long v = p.getPrimitiveTypeName() == PrimitiveTypeName.INT64 ? g.getLong(name, 0)
                        : unsigned ? Integer.toUnsignedLong(g.getInteger(name, 0)) : g.getInteger(name, 0);
                longs.add(v);
            }
            case Column.Strings strings -> strings.add(present ? g.getBinary(name, 0).toStringUsingUTF8() : "");
            case Column.Bytes bytes -> appendBytes(file, name, present ? g : null, bytes);
            case Column.Messages messages -> {
                if (!present) {
                    throw new DatasetException(file, name, "null value in row " + messages.rows());
                }
                messages.values.add(conversation(file, name, messages.rows(), g.getGroup(name, 0)));
            }
        }
    }

    private static void appendBytes(Path file, String name, @Nullable Group g, Column.Bytes col) {
        int row = col.rows;
        if (g == null) {
            throw new DatasetException(file, name, "null value in row " + row);
        }
        Runnable overflow = () -> {
            throw new DatasetException(file, name, "more than 2 GiB of bytes; split the file into shards");
        };
        byte[] value;
        if (!col.encodedImage) {
            value = g.getBinary(name, 0).getBytes();
        } else {
            Group image = g.getGroup(name, 0);
            String path = image.getType().containsField("path") && image.getFieldRepetitionCount("path") > 0
                    ? image.getBinary("path", 0).toStringUsingUTF8() : "";
            boolean hasBytes = image.getFieldRepetitionCount("bytes") > 0;
            if (!hasBytes && path.isEmpty()) {
                throw new DatasetException(file, name, "null value in row " + row);
            }
            col.paths.add(path);
            value = hasBytes ? image.getBinary("bytes", 0).getBytes() : ArrowLoad.imageFile(file, name, row, path);
        }
        int start = col.reserve(value.length, overflow);
        System.arraycopy(value, 0, col.data, start, value.length);
    }

    /** One row's list of message structs; string fields other than role and content are kept as extras. */
    private static List<Map<String, String>> conversation(Path file, String name, int row, Group list) {
        List<Map<String, String>> out = new ArrayList<>();
        int n = list.getFieldRepetitionCount(0);
        for (int k = 0; k < n; k++) {
            Group item = list.getGroup(0, k);
            GroupType itemType = item.getType();
            if (itemType.getFieldCount() == 1 && !itemType.getType(0).isPrimitive()) { // three-level list
                if (item.getFieldRepetitionCount(0) == 0) {
                    throw new DatasetException(file, name, "row " + row + ": message " + k + " is null");
                }
                item = item.getGroup(0, 0);
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (Type f : item.getType().getFields()) {
                if (isString(f) && item.getFieldRepetitionCount(f.getName()) > 0) {
                    fields.put(f.getName(), item.getBinary(f.getName(), 0).toStringUsingUTF8());
                }
            }
            out.add(Column.Messages.message(file, name, row, k, fields));
        }
        return List.copyOf(out);
    }
}
