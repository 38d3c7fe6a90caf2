package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;

/**
 * A reference-counted block of elements of one {@link DType}: pooled off-heap memory, or a region of a
 * memory-mapped file (zero-copy). Views share one storage; {@link #close()} drops a reference and the
 * last one returns pooled memory to the pool (or runs the region's release action).
 */
public final class Storage implements AutoCloseable {
    private final MemorySegment segment;
    private final @Nullable MemorySegment pooledBlock;
    private final @Nullable Runnable onRelease;
    private final DType dtype;
    private final long elements;
    private final AtomicInteger refs = new AtomicInteger(1);

    private Storage(MemorySegment segment, @Nullable MemorySegment pooledBlock, @Nullable Runnable onRelease,
                    DType dtype, long elements) {
        this.segment = segment;
        this.pooledBlock = pooledBlock;
        this.onRelease = onRelease;
        this.dtype = dtype;
        this.elements = elements;
    }

    /** Pooled storage for {@code elements} values, zero-filled. */
    public static Storage allocate(DType dtype, long elements) {
        Storage s = allocateUninitialized(dtype, elements);
        s.segment.fill((byte) 0);
        return s;
    }

    /** Pooled storage whose contents are undefined (for outputs a kernel overwrites whole). */
    static Storage allocateUninitialized(DType dtype, long elements) {
        if (elements < 0) {
            throw new IllegalArgumentException("negative element count " + elements);
        }
        long bytes = Math.multiplyExact(elements, dtype.byteSize());
        MemorySegment block = MemoryPool.get().acquire(bytes);
        return new Storage(block.asSlice(0, bytes), block, null, dtype, elements);
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
        return new Storage(segment, null, onRelease, dtype, bytes / dtype.byteSize());
    }

    /** Storage holding a copy of {@code data}. */
    public static Storage ofFloats(float[] data) {
        Storage s = allocateUninitialized(DType.F32, data.length);
        MemorySegment.copy(data, 0, s.segment, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, data.length);
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

    /** The memory, for kernels. */
    MemorySegment segment() {
        if (refs.get() <= 0) {
            throw new IllegalStateException("storage already released");
        }
        return segment;
    }

    /** Drops one reference; the last one releases the memory. */
    @Override
    public void close() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            if (pooledBlock != null) {
                MemoryPool.get().release(pooledBlock);
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
