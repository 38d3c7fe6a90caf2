package org.wegeft.tensor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.kernels.io.DiskSpace;
import org.wegeft.kernels.io.IoErrors;

/**
 * Writes one safetensors file tensor by tensor, so that at most one tensor has to exist in memory: the header
 * is computed up front from the names, dtypes and shapes (which a streaming transform such as a merge does not
 * change) and written first, then each tensor's bytes are appended as they are produced. The bytes go to a
 * temporary sibling ({@link AtomicFiles#open}); {@link #commit()} forces and renames it over {@code file},
 * and {@link #close()} without a commit deletes it, so a failure never leaves a half-written file. The file's
 * size is checked against the folder's free space before anything is written, and I/O errors name the file.
 *
 * <pre>
 *   header lists the entries in the order given;  data is laid out in the order of the given TensorInfo.begin()
 *   (ties: order given), packed from offset 0 — so passing an input file's tensors() keeps its layout.
 *
 *   try (var w = SafetensorsStreamWriter.create(out, in.metadata(), in.tensors())) {
 *       for (TensorInfo t : w.dataOrder()) w.copy(t.name(), in, t.name());   // or w.write(name, tensor)
 *       w.commit();
 *   }
 * </pre>
 */
public final class SafetensorsStreamWriter implements AutoCloseable {
    private final Path file;
    private final Path tmp;
    private final FileChannel channel;
    private final List<TensorInfo> layout;
    private final List<TensorInfo> dataOrder;
    private int next;
    private long bytesWritten;
    private boolean committed;
    private boolean closed;

    private SafetensorsStreamWriter(Path file, Path tmp, FileChannel channel, List<TensorInfo> layout,
            List<TensorInfo> dataOrder) {
        this.file = file;
        this.tmp = tmp;
        this.channel = channel;
        this.layout = layout;
        this.dataOrder = dataOrder;
    }

    /**
     * Opens the temporary file and writes the header. Only each entry's name, dtype, shape and begin (for the
     * data order) are used; the byte ranges are recomputed, packed.
     * @throws SafetensorsException naming {@code file} and the entry when a name is repeated or reserved or a
     *         dtype is unknown
     */
    public static SafetensorsStreamWriter create(Path file, Map<String, String> metadata, List<TensorInfo> tensors)
            throws IOException {
        Path abs = file.toAbsolutePath();
        Set<String> seen = new HashSet<>();
        for (TensorInfo t : tensors) {
            if (t.name().equals(SafetensorsHeader.METADATA)) {
                throw new SafetensorsException(abs, t.name(), "reserved name");
            }
            if (!seen.add(t.name())) {
                throw new SafetensorsException(abs, t.name(), "tensor listed twice");
            }
            if (SafetensorsHeader.dtypeSize(t.dtype()) < 0) {
                throw new SafetensorsException(abs, t.name(), "unknown dtype '" + t.dtype() + "'");
            }
        }
        List<TensorInfo> byBegin = new ArrayList<>(tensors);
        byBegin.sort(Comparator.comparingLong(TensorInfo::begin)); // stable: ties keep the given order
        Map<String, TensorInfo> placed = new LinkedHashMap<>();
        long offset = 0;
        for (TensorInfo t : byBegin) {
            long bytes = Math.multiplyExact(t.elements(), (long) SafetensorsHeader.dtypeSize(t.dtype()));
            placed.put(t.name(), new TensorInfo(t.name(), t.dtype(), t.shape(), offset, offset + bytes));
            offset += bytes;
        }
        List<TensorInfo> layout = tensors.stream().map(t -> placed.get(t.name())).toList();
        byte[] header = header(layout, metadata);
        if (abs.getParent() != null) {
            DiskSpace.require(abs.getParent(), 8L + header.length + offset, "safetensors file " + abs.getFileName());
        }
        Path tmp = AtomicFiles.open(abs);
        FileChannel ch;
        try {
            ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw IoErrors.naming(abs, e);
        }
        try {
            writeAll(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            writeAll(ch, ByteBuffer.wrap(header));
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw IoErrors.naming(abs, e);
        } catch (RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new SafetensorsStreamWriter(abs, tmp, ch, layout, List.copyOf(placed.values()));
    }

    /** The output entries in header order, with their byte ranges in the output file. */
    public List<TensorInfo> layout() {
        return layout;
    }

    /** The output entries in the order their bytes must be written. */
    public List<TensorInfo> dataOrder() {
        return dataOrder;
    }

    /** The name of the tensor to write next, or null when every tensor has been written. */
    public @Nullable String next() {
        return next < dataOrder.size() ? dataOrder.get(next).name() : null;
    }

    /** Tensor bytes written so far (header excluded). */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Appends tensor {@code name} from {@code t} (any strides; its dtype and shape must be the entry's).
     * @throws SafetensorsException when {@code name} is not the next tensor or dtype/shape differ
     */
    public void write(String name, Tensor t) throws IOException {
        TensorInfo e = expect(name);
        if (!t.dtype().safetensorsName().equals(e.dtype()) || !Arrays.equals(t.shape(), e.shape())) {
            throw new SafetensorsException(file, name, "got a " + t.dtype() + " tensor of shape "
                    + Arrays.toString(t.shape()) + ", the header says " + e.dtype() + " " + Arrays.toString(e.shape()));
        }
        try (Tensor c = t.isContiguous() ? null : t.contiguous()) {
            Tensor src = c != null ? c : t;
            HostAccess.writeTo(channel, src.storage(), src.storageOffset() * src.dtype().byteSize(), e.bytes());
            bytesWritten += e.bytes();
            next++;
        } catch (IOException io) {
            throw IoErrors.naming(file, io);
        }
    }

    /** Appends tensor {@code name} from its raw little-endian bytes. */
    public void write(String name, byte[] bytes) throws IOException {
        TensorInfo e = expect(name);
        if (bytes.length != e.bytes()) {
            throw new SafetensorsException(file, name, "got " + bytes.length + " bytes, the header says " + e.bytes());
        }
        append(MemorySegment.ofArray(bytes));
    }

    /**
     * Appends tensor {@code name} as a byte-for-byte copy of {@code srcName} in {@code src} (same dtype and
     * shape; any dtype, read straight from the mapping).
     */
    public void copy(String name, SafetensorsFile src, String srcName) throws IOException {
        TensorInfo e = expect(name);
        TensorInfo s = src.info(srcName);
        if (!s.dtype().equals(e.dtype()) || !Arrays.equals(s.shape(), e.shape())) {
            throw new SafetensorsException(file, name, "source " + src.path() + ":" + srcName + " is " + s.dtype()
                    + " " + Arrays.toString(s.shape()) + ", the header says " + e.dtype() + " "
                    + Arrays.toString(e.shape()));
        }
        append(src.rawRegion(srcName));
    }

    private TensorInfo expect(String name) {
        if (closed || committed) {
            throw new SafetensorsException(file, name, "writer is " + (committed ? "committed" : "closed"));
        }
        String want = next();
        if (want == null) {
            throw new SafetensorsException(file, name, "every tensor has already been written");
        }
        if (!want.equals(name)) {
            throw new SafetensorsException(file, name, "written out of order: the next tensor in the data section is '"
                    + want + "'");
        }
        return dataOrder.get(next);
    }

    private void append(MemorySegment seg) throws IOException {
        try {
            for (long off = 0; off < seg.byteSize(); off += 1L << 30) {
                long chunk = Math.min(1L << 30, seg.byteSize() - off);
                writeAll(channel, seg.asSlice(off, chunk).asByteBuffer());
            }
        } catch (IOException io) {
            throw IoErrors.naming(file, io);
        }
        bytesWritten += seg.byteSize();
        next++;
    }

    /**
     * Forces the file to disk and renames it over the target.
     * @throws SafetensorsException naming the first tensor not yet written
     */
    public void commit() throws IOException {
        String missing = next();
        if (missing != null) {
            throw new SafetensorsException(file, missing, "not written (" + (dataOrder.size() - next) + " of "
                    + dataOrder.size() + " tensors missing)");
        }
        try {
            channel.force(true);
            channel.close();
        } catch (IOException io) {
            throw IoErrors.naming(file, io);
        }
        AtomicFiles.commit(tmp, file);
        committed = true;
    }

    /** Closes the channel; without a {@link #commit()} the temporary file is deleted. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            channel.close();
            Files.deleteIfExists(tmp);
        }
    }

    /** The header JSON, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(List<TensorInfo> layout, Map<String, String> metadata) throws IOException {
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject(SafetensorsHeader.METADATA);
            metadata.forEach(m::put);
        }
        for (TensorInfo e : layout) {
            ObjectNode t = root.putObject(e.name());
            t.put("dtype", e.dtype());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(e.begin()).add(e.end());
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
