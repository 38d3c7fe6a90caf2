package org.wegeft.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Off-heap memory for tensor storage, pooled by power-of-two size class so a training loop reuses the
 * same blocks every step instead of allocating (no garbage-collector churn, deterministic release).
 * Blocks above {@link #maxCachedBytes()} in total are freed immediately on release.
 */
final class MemoryPool {
    private static final int MIN_CLASS = 6; // 64 bytes
    private static final int CLASSES = 48;
    private static final long ALIGN = 64;

    private static final MemoryPool INSTANCE = new MemoryPool(configuredCap());

    private final long maxCachedBytes;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<MemorySegment>[] free = new ArrayDeque[CLASSES];
    private final Map<MemorySegment, Arena> arenas = new IdentityHashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long peakLiveBytes;

    private MemoryPool(long maxCachedBytes) {
        this.maxCachedBytes = maxCachedBytes;
        for (int i = 0; i < CLASSES; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    static MemoryPool get() {
        return INSTANCE;
    }

    /** A block of at least {@code bytes} bytes, 64-byte aligned, contents undefined. */
    synchronized MemorySegment acquire(long bytes) {
        int c = sizeClass(bytes);
        long size = 1L << c;
        MemorySegment seg = free[c].pollLast();
        if (seg != null) {
            cachedBytes -= size;
        } else {
            Arena arena = Arena.ofShared();
            try {
                seg = arena.allocate(size, ALIGN);
            } catch (OutOfMemoryError e) {
                arena.close();
                trim();
                arena = Arena.ofShared();
                seg = arena.allocate(size, ALIGN);
            }
            arenas.put(seg, arena);
        }
        liveBytes += size;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        return seg;
    }

    /** Returns a block obtained from {@link #acquire}. */
    synchronized void release(MemorySegment seg) {
        long size = seg.byteSize();
        liveBytes -= size;
        if (cachedBytes + size <= maxCachedBytes) {
            free[Long.numberOfTrailingZeros(size)].addLast(seg);
            cachedBytes += size;
        } else {
            Arena arena = arenas.remove(seg);
            if (arena != null) {
                arena.close();
            }
        }
    }

    /** Frees every cached block. */
    synchronized void trim() {
        for (ArrayDeque<MemorySegment> q : free) {
            MemorySegment seg;
            while ((seg = q.pollLast()) != null) {
                Arena arena = arenas.remove(seg);
                if (arena != null) {
                    arena.close();
                }
            }
        }
        cachedBytes = 0;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long peakLiveBytes() {
        return peakLiveBytes;
    }

    long maxCachedBytes() {
        return maxCachedBytes;
    }

    private static int sizeClass(long bytes) {
        if (bytes <= 0) {
            return MIN_CLASS;
        }
        int c = 64 - Long.numberOfLeadingZeros(bytes - 1);
        if (c >= CLASSES) {
            throw new OutOfMemoryError("tensor allocation of " + bytes + " bytes is too large");
        }
        return Math.max(MIN_CLASS, c);
    }

    private static long configuredCap() {
        String v = System.getProperty("wegeft.pool.maxCachedMb");
        if (v == null || v.isBlank()) {
            return 2048L << 20;
        }
        try {
            return Long.parseLong(v.trim()) << 20;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dwegeft.pool.maxCachedMb must be an integer, got '" + v + "'");
        }
    }
}
