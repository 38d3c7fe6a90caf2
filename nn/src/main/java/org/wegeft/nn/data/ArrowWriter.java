package org.wegeft.nn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.wegeft.kernels.io.AtomicFiles;

/**
 * Writes columns to an Arrow IPC file in the file or the stream format, in record batches of
 * {@link #batchRows} rows. Columns are collected in memory, then {@link #write} writes them (to a temporary
 * file, moved into place, so a reader never sees half a file).
 *
 * <pre>
 * new ArrowWriter().imageStruct("image", pngs, paths).integers("label", 64, labels)
 *         .write(path, ArrowWriter.Format.STREAM);
 * </pre>
 */
public final class ArrowWriter {
    /** Arrow IPC file format (magic + footer) or stream format (as Hugging Face datasets caches). */
    public enum Format { FILE, STREAM }

    private interface Filler {
        void fill(FieldVector v, int from, int n);
    }

    private record Col(Field field, int rows, Filler filler) {}

    private final List<Col> cols = new ArrayList<>();
    private int batchRows = 1000;

    /** Rows per record batch (default 1000). */
    public ArrowWriter batchRows(int rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("batchRows must be positive, got " + rows);
        }
        this.batchRows = rows;
        return this;
    }

    /**
     * Hugging Face's image column: {@code struct<bytes: binary, path: string>} of encoded PNG/JPEG bytes (a null
     * entry of {@code bytes}: only the path, as for images kept beside the data).
     */
    public ArrowWriter imageStruct(String name, List<byte[]> bytes, List<String> paths) {
        if (bytes.size() != paths.size()) {
            throw new IllegalArgumentException("column " + name + ": " + bytes.size() + " images, " + paths.size()
                    + " paths");
        }
        Field f = new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(
                Field.nullable("bytes", ArrowType.Binary.INSTANCE), Field.nullable("path", ArrowType.Utf8.INSTANCE)));
        return add(f, bytes.size(), (v, from, n) -> {
            StructVector s = (StructVector) v;
            VarBinaryVector b = s.getChild("bytes", VarBinaryVector.class);
            VarCharVector p = s.getChild("path", VarCharVector.class);
            for (int i = 0; i < n; i++) {
                s.setIndexDefined(i);
                byte[] value = bytes.get(from + i);
                if (value == null) {
                    b.setNull(i);
                } else {
                    b.setSafe(i, value);
                }
                p.setSafe(i, paths.get(from + i).getBytes(StandardCharsets.UTF_8));
            }
            b.setValueCount(n);
            p.setValueCount(n);
        });
    }

    /** A {@code binary} column (e.g. raw uint8 pixels). */
    public ArrowWriter binary(String name, List<byte[]> values) {
        return add(Field.nullable(name, ArrowType.Binary.INSTANCE), values.size(), (v, from, n) -> {
            for (int i = 0; i < n; i++) {
                ((VarBinaryVector) v).setSafe(i, values.get(from + i));
            }
        });
    }

    /** A {@code list<uint8>} column (how Hugging Face stores {@code Array3D(dtype="uint8")}-like pixel lists). */
    public ArrowWriter uint8List(String name, List<byte[]> values) {
        Field f = new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                List.of(Field.nullable("item", new ArrowType.Int(8, false))));
        return add(f, values.size(), (v, from, n) -> {
            ListVector l = (ListVector) v;
            UInt1Vector data = (UInt1Vector) l.getDataVector();
            int total = 0;
            for (int i = 0; i < n; i++) {
                byte[] b = values.get(from + i);
                int start = l.startNewValue(i);
                for (int k = 0; k < b.length; k++) {
                    data.setSafe(start + k, b[k]);
                }
                l.endValue(i, b.length);
                total = start + b.length;
            }
            data.setValueCount(total);
        });
    }

    /** A {@code fixed_size_list<uint8>[size]} column; every value must hold {@code size} bytes. */
    public ArrowWriter uint8FixedList(String name, List<byte[]> values, int size) {
        Field f = new Field(name, FieldType.nullable(new ArrowType.FixedSizeList(size)),
                List.of(Field.nullable("item", new ArrowType.Int(8, false))));
        return add(f, values.size(), (v, from, n) -> {
            FixedSizeListVector l = (FixedSizeListVector) v;
            UInt1Vector data = (UInt1Vector) l.getDataVector();
            for (int i = 0; i < n; i++) {
                byte[] b = values.get(from + i);
                if (b.length != size) {
                    throw new IllegalArgumentException("column " + name + ": row " + (from + i) + " holds "
                            + b.length + " bytes, fixed size is " + size);
                }
                l.setNotNull(i);
                for (int k = 0; k < size; k++) {
                    data.setSafe(i * size + k, b[k]);
                }
            }
            data.setValueCount(n * size);
        });
    }

    /** A signed integer column of {@code bitWidth} 8, 16, 32 or 64 bits. */
    public ArrowWriter integers(String name, int bitWidth, long[] values) {
        return add(Field.nullable(name, new ArrowType.Int(bitWidth, true)), values.length, (v, from, n) -> {
            for (int i = 0; i < n; i++) {
                ((BaseIntVector) v).setWithPossibleTruncate(i, values[from + i]);
            }
        });
    }

    /** A {@code utf8} column. */
    public ArrowWriter strings(String name, List<String> values) {
        return add(Field.nullable(name, ArrowType.Utf8.INSTANCE), values.size(), (v, from, n) -> {
            for (int i = 0; i < n; i++) {
                ((VarCharVector) v).setSafe(i, values.get(from + i).getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    /**
     * A message-list column, {@code list<struct<role: string, content: string, …>>}, as chat data sets store
     * {@code messages}: each row a list of messages, each message its string fields (the same keys, in the same
     * order, in every message: the first message's keys give the struct's fields; a missing one is null).
     */
    public ArrowWriter messages(String name, List<List<Map<String, String>>> values) {
        List<String> keys = values.stream().flatMap(List::stream).findFirst().map(m -> List.copyOf(m.keySet()))
                .orElse(List.of("role", "content"));
        Field item = new Field("item", FieldType.nullable(ArrowType.Struct.INSTANCE),
                keys.stream().map(k -> Field.nullable(k, ArrowType.Utf8.INSTANCE)).toList());
        Field f = new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(item));
        return add(f, values.size(), (v, from, n) -> {
            ListVector list = (ListVector) v;
            StructVector s = (StructVector) list.getDataVector();
            int k = 0;
            for (int i = 0; i < n; i++) {
                list.startNewValue(i);
                for (Map<String, String> m : values.get(from + i)) {
                    s.setIndexDefined(k);
                    for (String key : keys) {
                        VarCharVector c = s.getChild(key, VarCharVector.class);
                        if (m.get(key) == null) {
                            c.setNull(k);
                        } else {
                            c.setSafe(k, m.get(key).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    k++;
                }
                list.endValue(i, values.get(from + i).size());
            }
            for (String key : keys) {
                s.getChild(key).setValueCount(k);
            }
            s.setValueCount(k);
        });
    }

    private ArrowWriter add(Field f, int rows, Filler filler) {
        if (!cols.isEmpty() && cols.getFirst().rows() != rows) {
            throw new IllegalArgumentException("column " + f.getName() + " has " + rows + " rows, column "
                    + cols.getFirst().field().getName() + " has " + cols.getFirst().rows());
        }
        cols.add(new Col(f, rows, filler));
        return this;
    }

    /** Writes the columns to {@code file} in {@code format}. */
    public void write(Path file, Format format) {
        if (cols.isEmpty()) {
            throw new IllegalStateException("no columns to write to " + file);
        }
        int rows = cols.getFirst().rows();
        Schema schema = new Schema(cols.stream().map(Col::field).toList());
        try (BufferAllocator alloc = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc)) {
            AtomicFiles.writeStream(file, out -> {
                WritableByteChannel ch = Channels.newChannel(out);
                try (org.apache.arrow.vector.ipc.ArrowWriter w = format == Format.FILE
                        ? new ArrowFileWriter(root, null, ch) : new ArrowStreamWriter(root, null, ch)) {
                    w.start();
                    for (int from = 0; from < rows || (rows == 0 && from == 0); from += batchRows) {
                        int n = Math.min(batchRows, rows - from);
                        for (Col c : cols) {
                            FieldVector v = root.getVector(c.field().getName());
                            v.clear();
                            v.allocateNew();
                            c.filler().fill(v, from, n);
                            v.setValueCount(n);
                        }
                        root.setRowCount(n);
                        w.writeBatch();
                        if (rows == 0) {
                            break;
                        }
                    }
                    w.end();
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
    }
}
