package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.QuantizedWeight;

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
    /** The memory; null while evicted (see {@link #recomputeOnDemand}). */
    private volatile @Nullable MemorySegment segment;
    /** The pooled block behind {@link #segment} (null for wrapped memory and while evicted). */
    private @Nullable MemorySegment pooledBlock;
    private final @Nullable Runnable onRelease;
    private final @Nullable KernelBackend device;
    private final DType dtype;
    private final long elements;
    private final AtomicInteger refs = new AtomicInteger(1);
    /** The quantized weight this storage holds instead of plain elements (its memory is then never handed out). */
    private final @Nullable QuantizedWeight quantized;
    /** How to compute the contents again once evicted; null when this storage is not evictable. */
    private volatile @Nullable Refill refill;
    /** The references that are graph nodes' saved views ({@link #retainSaved}); guarded by this. */
    private int savedRefs;

    private Storage(MemorySegment segment, @Nullable MemorySegment pooledBlock, @Nullable Runnable onRelease,
                    @Nullable KernelBackend device, DType dtype, long elements) {
        this(segment, pooledBlock, onRelease, device, dtype, elements, null);
    }

    private Storage(MemorySegment segment, @Nullable MemorySegment pooledBlock, @Nullable Runnable onRelease,
                    @Nullable KernelBackend device, DType dtype, long elements, @Nullable QuantizedWeight quantized) {
        this.quantized = quantized;
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
        MemorySegment block = s.pooledBlock;
        if (d == null) {
            s.memory().fill((byte) 0);
        } else if (block != null) {
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

    /**
     * Storage for a quantized frozen weight: its rows·cols elements are read only by GEMMs that take it as their
     * weight operand ({@code KernelBackend.gemmQuantized}); every other read fails naming it.
     */
    static Storage quantized(QuantizedWeight q) {
        return new Storage(q.codes(), null, null, null, DType.F32, q.size(), q);
    }

    /**
     * After the last read of a wrapped file mapping (a weight quantized as it loads): its pages leave the resident
     * set ({@link MappedPages}); a later read takes them from the file again. Only read-only file mappings are
     * touched. Returns whether pages were released.
     */
    boolean releaseMappedPages() {
        MemorySegment s = segment;
        if (s == null || !s.isMapped() || !s.isReadOnly() || pooledBlock != null || device != null
                || quantized != null) {
            return false;
        }
        return MappedPages.release(s);
    }

    /** The quantized weight held, or null for plain storage. */
    @Nullable QuantizedWeight quantized() {
        return quantized;
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
        return quantized != null ? quantized.byteSize() : elements * dtype.byteSize();
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

    /**
     * Contents computed by a cheap function of other tensors (a norm's or an activation function's output), for
     * {@link Grad#recomputingActivations()}: {@link #fill} writes them into fresh memory, {@link #close} drops its
     * references to those tensors.
     */
    interface Refill extends AutoCloseable {
        void fill(MemorySegment dst);

        @Override
        void close();
    }

    /**
     * Makes this storage evictable: once every open reference is a graph node's saved view (the forward no longer
     * uses it), its memory goes back to the pool, and the first access after that computes the contents again with
     * {@code how} (the same kernel on the same inputs: the same bits) and keeps them until the last reference is
     * closed. Evicted at most once. Takes ownership of {@code how}; pooled storage only (else {@code how} is closed
     * and nothing changes).
     */
    void recomputeOnDemand(Refill how) {
        synchronized (this) {
            if (pooledBlock != null && onRelease == null && refill == null && refs.get() > 0) {
                refill = how;
                return;
            }
        }
        how.close();
    }

    /** Adds a reference held by a graph node's saved view (counted apart: see {@link #recomputeOnDemand}). */
    synchronized Storage retainSaved() {
        retain();
        savedRefs++;
        return this;
    }

    /** Drops a reference taken with {@link #retainSaved}. */
    void closeSaved() {
        synchronized (this) {
            savedRefs--;
        }
        close();
    }

    /** True while the memory is given back and the contents wait to be computed again. */
    synchronized boolean isEvicted() {
        return segment == null;
    }

    /** Evicts when only saved views are left (called after a reference is dropped). */
    private void maybeEvict() {
        MemorySegment block;
        synchronized (this) {
            int r = refs.get();
            if (refill == null || segment == null || r <= 0 || r != savedRefs) {
                return;
            }
            block = pooledBlock;
            segment = null;
            pooledBlock = null;
        }
        releaseBlock(block);
    }

    /** The contents computed again into a fresh block (an evicted storage's first access). */
    private synchronized MemorySegment rematerialize() {
        MemorySegment s = segment;
        if (s != null) {
            return s;
        }
        Refill how = refill;
        if (how == null || refs.get() <= 0) {
            throw new IllegalStateException("storage already released");
        }
        long bytes = elements * dtype.byteSize();
        MemorySegment block = device == null ? MemoryPool.get().acquire(bytes)
                : device.allocate(Math.max(Float.BYTES, Math.ceilDiv(bytes, Float.BYTES) * Float.BYTES));
        s = block.asSlice(0, bytes);
        try {
            how.fill(s);
        } catch (RuntimeException | Error e) {
            releaseBlock(block);
            throw e;
        }
        pooledBlock = block;
        segment = s;
        refill = null;
        how.close();
        return s;
    }

    private void releaseBlock(@Nullable MemorySegment block) {
        if (block == null) {
            return;
        }
        if (device != null) {
            device.free(block);
        } else {
            MemoryPool.get().release(block);
        }
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
        if (quantized != null) {
            throw new UnsupportedOperationException("a " + quantized.format() + " quantized weight (" + quantized.rows()
                    + ", " + quantized.cols() + ") is read only as a linear layer's weight (x·Wᵀ, dy·W), not as"
                    + " plain elements");
        }
        KernelBackend be = Backends.current();
        if (device != be && (device != null || !be.hostAccessible())) {
            throw new UnsupportedOperationException("a kernel of backend '" + be.name() + "' was handed "
                    + where() + " (" + elements + " " + dtype + " elements); create tensors after selecting the"
                    + " backend, or move them with Tensor.copyFrom");
        }
        MemorySegment s = segment;
        return s != null ? s : rematerialize();
    }

    /** The memory regardless of the current backend, for {@link HostAccess} only. */
    MemorySegment memory() {
        if (refs.get() <= 0) {
            throw new IllegalStateException("storage already released");
        }
        if (quantized != null) {
            throw new UnsupportedOperationException("a " + quantized.format() + " quantized weight (" + quantized.rows()
                    + ", " + quantized.cols() + ") is read only as a linear layer's weight (x·Wᵀ, dy·W), not as"
                    + " plain elements");
        }
        MemorySegment s = segment;
        return s != null ? s : rematerialize();
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
            MemorySegment block;
            Refill how;
            synchronized (this) {
                block = pooledBlock;
                pooledBlock = null;
                how = refill;
                refill = null;
            }
            releaseBlock(block);
            if (how != null) {
                how.close();
            }
            if (onRelease != null) {
                onRelease.run();
            }
        } else if (r > 0) {
            if (refill != null) {
                maybeEvict();
            }
        } else {
            refs.set(0);
            throw new IllegalStateException("storage closed more times than retained");
        }
    }
}
