package org.wegeft.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.wegeft.kernels.KernelBackend;

/**
 * The one place where Java code reads or writes tensor memory. Host storages are copied directly (one branch per
 * call, no staging); device storages cross with the backend's {@code copyToHost} / {@code copyToDevice}, through a
 * temporary native host buffer when the Java side is a heap array. Nothing else in the tensor module touches the
 * bytes of a {@link Storage}.
 */
final class HostAccess {
    /** Largest staging buffer for streaming device memory to a file. */
    private static final long STAGE_CHUNK = 64L << 20;
    /** Largest slice handed to a channel at once (ByteBuffer limit, with room). */
    private static final long WRITE_CHUNK = 1L << 30;

    private HostAccess() {
    }

    /** Copies {@code dst.byteSize()} bytes of {@code src} from byte {@code byteOffset} into host memory {@code dst}. */
    static void read(Storage src, long byteOffset, MemorySegment dst) {
        long bytes = dst.byteSize();
        MemorySegment from = src.memory().asSlice(byteOffset, bytes);
        KernelBackend d = src.device();
        if (d == null) {
            MemorySegment.copy(from, 0, dst, 0, bytes);
        } else if (bytes == 0) {
            return;
        } else if (dst.isNative()) {
            d.copyToHost(from, dst, bytes);
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment tmp = a.allocate(bytes, 64);
                d.copyToHost(from, tmp, bytes);
                MemorySegment.copy(tmp, 0, dst, 0, bytes);
            }
        }
    }

    /** Copies host memory {@code src} (heap or native) into {@code dst} from byte {@code byteOffset}. */
    static void write(MemorySegment src, Storage dst, long byteOffset) {
        long bytes = src.byteSize();
        MemorySegment to = dst.memory().asSlice(byteOffset, bytes);
        KernelBackend d = dst.device();
        if (d == null) {
            MemorySegment.copy(src, 0, to, 0, bytes);
        } else if (bytes == 0) {
            return;
        } else if (src.isNative()) {
            d.copyToDevice(src, to, bytes);
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment tmp = a.allocate(bytes, 64);
                MemorySegment.copy(src, 0, tmp, 0, bytes);
                d.copyToDevice(tmp, to, bytes);
            }
        }
    }

    /** Writes {@code bytes} bytes of {@code src} from byte {@code byteOffset} to {@code ch} (device: staged in chunks). */
    static void writeTo(WritableByteChannel ch, Storage src, long byteOffset, long bytes) throws IOException {
        KernelBackend d = src.device();
        MemorySegment from = src.memory().asSlice(byteOffset, bytes);
        if (d == null) {
            for (long off = 0; off < bytes; off += WRITE_CHUNK) {
                writeAll(ch, from.asSlice(off, Math.min(WRITE_CHUNK, bytes - off)).asByteBuffer());
            }
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tmp = a.allocate(Math.max(1, Math.min(STAGE_CHUNK, bytes)), 64);
            for (long off = 0; off < bytes; off += STAGE_CHUNK) {
                long chunk = Math.min(STAGE_CHUNK, bytes - off);
                MemorySegment part = tmp.asSlice(0, chunk);
                d.copyToHost(from.asSlice(off, chunk), part, chunk);
                writeAll(ch, part.asByteBuffer());
            }
        }
    }

    private static void writeAll(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
