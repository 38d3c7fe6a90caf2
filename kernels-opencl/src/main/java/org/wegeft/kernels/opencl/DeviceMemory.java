package org.wegeft.kernels.opencl;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * OpenCL buffers behind addresses, so that the SPI's buffers stay {@link MemorySegment}s whose slices
 * ({@code asSlice}) are plain address arithmetic, as for the CUDA backend. Each {@code cl_mem} gets a range of a
 * private address space (never dereferenced, far from 0, with a gap after each range so that the end of one buffer
 * is not the start of the next); {@link #find} maps an address back to its buffer and byte offset, which is what a
 * kernel's {@code PTR} parameter and CLBlast's offsets take. Thread-safe (synchronized).
 */
final class DeviceMemory {
    private static final long ALIGN = 256;

    /** One buffer: its range of the address space and its {@code cl_mem}. */
    record Block(long base, long bytes, MemorySegment mem) {
    }

    /** A buffer and a byte offset into it. */
    record Location(MemorySegment mem, long offset) {
    }

    private final TreeMap<Long, Block> blocks = new TreeMap<>();
    private long next = 1L << 40;

    /** Creates a buffer of {@code bytes} with {@code create} and returns the address of its first byte. */
    synchronized long allocate(long bytes, LongFunction<MemorySegment> create) {
        MemorySegment mem = create.apply(Math.max(1, bytes));
        long base = next;
        next += (Math.max(1, bytes) + ALIGN - 1) / ALIGN * ALIGN + ALIGN;
        blocks.put(base, new Block(base, bytes, mem));
        return base;
    }

    /** Forgets the buffer at {@code base} and returns it, for the caller to release. */
    synchronized MemorySegment free(long base) {
        Block b = blocks.remove(base);
        if (b == null) {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(base)
                    + " is not the start of an OpenCL buffer of this backend (or was freed twice)");
        }
        return b.mem();
    }

    /** The buffer holding {@code address} and the offset of that address in it. */
    synchronized Location find(long address) {
        Map.Entry<Long, Block> e = blocks.floorEntry(address);
        if (e == null || address > e.getValue().base() + e.getValue().bytes()) {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(address)
                    + " is not in an OpenCL buffer of this backend (host memory passed to a device kernel?)");
        }
        return new Location(e.getValue().mem(), address - e.getKey());
    }

    synchronized int count() {
        return blocks.size();
    }
}
