package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.KernelBackend;

/**
 * A reference-counted block of elements of one {@link DType}: pooled off-heap memory, a region of a
 * memory-mapped file (zero-copy), or memory of a device backend ({@link KernelBackend#hostAccessible()} false).
 * Views share one storage; {@link #close()} drops a reference and the last one returns pooled memory to the
 * pool (the host pool or the device backend's), or runs the region's release action.
 *
 * <p>Where the memory lives is fixed at allocation: by the current backend ({@link Backends#current()}). Host
 * memory is read directly by Java code; device memory only through {@link HostAccess} (explicit copies), and
 * kernels refuse a storage that is not in the current backend's memory.
 */
public final class Storage implements AutoCloseable {
    private final MemorySegment segment;
    private final @Nullable MemorySegment pooledBlock;
    private final @Nullable Runnable onRelease;
    private final @Nullable KernelBackend device;
    private final DType dtype;
    private final long elements;
    private final AtomicInteger refs = new AtomicInteger(1);

    private Storage(MemorySegment segment, @Nullable MemorySegment pooledBlock, @Nullable Runnable onRelease,
                    @Nullable KernelBackend device, DType dtype, long elements) {
        this.segment = segment;
        this.pooledBlock = pooledBlock;
        this.onRelease = onRelease;
        this.device = device;
        this.dtype = dtype;
        this.elements = elements;
    }

    /** Pooled storage for {@code elements} values, zero-filled, in the current backend's memory. */
    public static Storage allocate(DType dtype, long elements) {
        Storage s = allocateUninitialized(dtype, elements);
        KernelBackend d = s.device;
        if (d == null) {
            s.segment.fill((byte) 0);
        } else {
            MemorySegment block = s.pooledBlock;
            d.fill(block, block.byteSize() / Float.BYTES, 0f); // device blocks are padded to whole floats
        }
        return s;
    }

    /**
     * Pooled storage whose contents are undefined (for outputs a kernel overwrites whole): host memory from the
     * {@link MemoryPool} when the current backend is host-accessible, else a buffer of that device backend.
     */
    static Storage allocateUninitialized(DType dtype, long elements) {
        if (elements < 0) {
            throw new IllegalArgumentException("negative element count " + elements);
        }
        long bytes = Math.multiplyExact(elements, dtype.byteSize());
        KernelBackend be = Backends.current();
        if (be.hostAccessible()) {
            MemorySegment block = MemoryPool.get().acquire(bytes);
            return new Storage(block.asSlice(0, bytes), block, null, null, dtype, elements);
        }
        MemorySegment block = be.allocate(Math.max(Float.BYTES, Math.ceilDiv(bytes, Float.BYTES) * Float.BYTES));
        return new Storage(block.asSlice(0, bytes), block, null, be, dtype, elements);
    }

    /**
     * Wraps memory owned elsewhere (a mapped file region); {@code onRelease} runs when the last reference
     * is closed, or pass null when the owner frees it.
     */
    static Storage wrap(MemorySegment segment, DType dtype, @Nullable Runnable onRelease) {
        long bytes = segment.byteSize();
        if (bytes % dtype.byteSize() != 0) {
            throw new IllegalArgumentException(bytes + " bytes is not a whole number of " + dtype + " elements");
        }
        return new Storage(segment, null, onRelease, null, dtype, bytes / dtype.byteSize());
    }

    /** Storage holding a copy of {@code data}, in the current backend's memory. */
    public static Storage ofFloats(float[] data) {
        Storage s = allocateUninitialized(DType.F32, data.length);
        HostAccess.write(MemorySegment.ofArray(data), s, 0);
        return s;
    }

    /** Storage holding a copy of {@code data} (int32), in the current backend's memory. */
    static Storage ofInts(int[] data) {
        Storage s = allocateUninitialized(DType.I32, data.length);
        HostAccess.write(MemorySegment.ofArray(data), s, 0);
        return s;
    }

    public DType dtype() {
        return dtype;
    }

    public long elements() {
        return elements;
    }

    public long byteSize() {
        return elements * dtype.byteSize();
    }

    /** True while at least one reference is open. */
    public boolean isLive() {
        return refs.get() > 0;
    }

    /** Adds a reference (a new view); pair with {@link #close()}. */
    public Storage retain() {
        int r;
        do {
            r = refs.get();
            if (r <= 0) {
                throw new IllegalStateException("storage already released");
            }
        } while (!refs.compareAndSet(r, r + 1));
        return this;
    }

    /** Open references (1 for storage owned by one tensor alone). */
    int refCount() {
        return refs.get();
    }

    /** True when Java code may read this storage's memory directly (host memory, mapped or pooled). */
    public boolean isHostMemory() {
        return device == null;
    }

    /** The device backend that owns this memory, or null for host memory. */
    @Nullable KernelBackend device() {
        return device;
    }

    /**
     * The memory, for kernels of the current backend.
     * @throws UnsupportedOperationException when the memory is not the current backend's (host memory handed to a
     *         device backend, device memory handed to another backend): a kernel must never get a foreign pointer
     */
    MemorySegment segment() {
        if (refs.get() <= 0) {
            throw new IllegalStateException("storage already released");
        }
        KernelBackend be = Backends.current();
        if (device != be && (device != null || !be.hostAccessible())) {
            throw new UnsupportedOperationException("a kernel of backend '" + be.name() + "' was handed "
                    + where() + " (" + elements + " " + dtype + " elements); create tensors after selecting the"
                    + " backend, or move them with Tensor.copyFrom");
        }
        return segment;
    }

    /** The memory regardless of the current backend, for {@link HostAccess} only. */
    MemorySegment memory() {
        if (refs.get() <= 0) {
            throw new IllegalStateException("storage already released");
        }
        return segment;
    }

    /** "host memory" or "memory of device backend 'x'". */
    String where() {
        return device == null ? "host memory" : "memory of device backend '" + device.name() + "'";
    }

    /** Drops one reference; the last one releases the memory. */
    @Override
    public void close() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            if (pooledBlock != null) {
                if (device != null) {
                    device.free(pooledBlock);
                } else {
                    MemoryPool.get().release(pooledBlock);
                }
            }
            if (onRelease != null) {
                onRelease.run();
            }
        } else if (r < 0) {
            refs.set(0);
            throw new IllegalStateException("storage closed more times than retained");
        }
    }
}
