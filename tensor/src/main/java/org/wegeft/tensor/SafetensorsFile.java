package org.wegeft.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;

/**
 * A memory-mapped safetensors file. {@link #open} maps the whole file (no tensor byte is read until it is
 * used) and strictly validates the header; {@link #storage} hands out zero-copy {@link Storage}s over the
 * mapping. The mapping stays valid until this file and every storage taken from it are closed.
 *
 * <pre>
 *   file:  [u64 LE header length n][header JSON, n bytes][data section ............]
 *   tensor "w": data_offsets [b, e] → bytes [8 + n + b, 8 + n + e) of the file
 * </pre>
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, String> metadata;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> byName;
    /** One reference for the open file plus one per live storage over the mapping. */
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader.Parsed header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.metadata = header.metadata();
        this.tensors = header.tensors();
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            m.put(t.name(), t);
        }
        this.byName = m;
    }

    /**
     * Maps and validates {@code file}.
     * @throws SafetensorsException naming the file, key and problem when the file is unreadable or invalid
     */
    public static SafetensorsFile open(Path file) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new SafetensorsException(file, "file", "big-endian platforms are not supported");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(file, "header", "file is " + size
                        + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long n = len.getLong(0);
            if (n < 0 || n > SafetensorsHeader.MAX_HEADER_BYTES) {
                throw new SafetensorsException(file, "header", "header length " + Long.toUnsignedString(n)
                        + " exceeds the limit of " + SafetensorsHeader.MAX_HEADER_BYTES + " bytes");
            }
            if (n > size - 8) {
                throw new SafetensorsException(file, "header", "header length " + n + " runs past the end of the "
                        + size + "-byte file");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            readFully(ch, header, 8);
            long dataBytes = size - 8 - n;
            SafetensorsHeader.Parsed parsed = SafetensorsHeader.parse(file, header.flip(), dataBytes);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                return new SafetensorsFile(file, arena, mapped.asSlice(8 + n, dataBytes), parsed);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (IOException e) {
            throw new SafetensorsException(file, "file", "cannot read: " + e, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} map (empty when absent), in header order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Every tensor entry, in header order. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The entry for {@code name}. @throws SafetensorsException when there is none */
    public TensorInfo info(String name) {
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw new SafetensorsException(path, name, "no such tensor in the file (" + tensors.size() + " tensors)");
        }
        return t;
    }

    /**
     * A storage over the tensor's bytes: zero-copy over the mapping when the current backend reads host memory
     * and the data is aligned to its element size (the usual case), else a pooled copy — in device memory (one
     * host → device copy from the mapping) when the current backend is a device. BF16 and F16 stay in their dtype.
     * @throws SafetensorsException when the tensor is missing or its dtype is not F32, BF16, F16 or I32
     */
    public Storage storage(String name) {
        TensorInfo t = info(name);
        DType dtype = computeDType(t);
        MemorySegment region = region(t);
        if (region.address() % dtype.byteSize() != 0 || !Backends.current().hostAccessible()) {
            Storage copy = Storage.allocateUninitialized(dtype, t.bytes() / dtype.byteSize());
            HostAccess.write(region, copy, 0);
            return copy;
        }
        retain();
        return Storage.wrap(region, dtype, this::release);
    }

    /** A heap copy of the tensor's raw little-endian bytes (for small tensors). */
    public byte[] readBytes(String name) {
        TensorInfo t = info(name);
        if (t.bytes() > Integer.MAX_VALUE - 16) {
            throw new SafetensorsException(path, name, t.bytes() + " bytes do not fit in a Java array; use storage()");
        }
        return region(t).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The tensor's raw bytes in the mapping (any dtype), for byte-for-byte copies. */
    MemorySegment rawRegion(String name) {
        return region(info(name));
    }

    private DType computeDType(TensorInfo t) {
        return switch (t.dtype()) {
            case "F32" -> DType.F32;
            case "BF16" -> DType.BF16;
            case "F16" -> DType.F16;
            case "I32" -> DType.I32;
            default -> throw new SafetensorsException(path, t.name(), "dtype " + t.dtype()
                    + " cannot be used for compute (supported: F32, BF16, F16, I32); use readBytes()");
        };
    }

    private MemorySegment region(TensorInfo t) {
        if (closed.get()) {
            throw new SafetensorsException(path, t.name(), "file is closed");
        }
        return data.asSlice(t.begin(), t.bytes());
    }

    private void retain() {
        int r;
        do {
            r = refs.get();
            if (r <= 0) {
                throw new SafetensorsException(path, "file", "file is closed");
            }
        } while (!refs.compareAndSet(r, r + 1));
    }

    private void release() {
        if (refs.decrementAndGet() == 0) {
            arena.close();
        }
    }

    /** True until the file and every storage taken from it are closed (the mapping is still valid). */
    public boolean isMapped() {
        return refs.get() > 0;
    }

    /** Closes the file; the mapping is unmapped once every storage taken from it is closed too. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
