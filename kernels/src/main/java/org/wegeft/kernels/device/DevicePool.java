package org.wegeft.kernels.device;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * A size-class pool of device memory: requests are rounded up to a power of two (at least 256 bytes); freed blocks
 * go back to their class's free list and are reused by the next request of that class, so a training step that
 * allocates the same temporaries every step stops calling the driver's allocator after the first. {@link #trim()} returns
 * every cached block to the driver. Thread-safe (synchronized).
 */
public final class DevicePool {
    static final long MIN_BLOCK = 256;

    private final LongUnaryOperator malloc;
    private final LongConsumer release;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private final Map<Long, Long> live = new HashMap<>();
    private long cachedBytes;
    private long liveBytes;
    private long driverAllocations;

    public DevicePool(LongUnaryOperator malloc, LongConsumer release) {
        this.malloc = malloc;
        this.release = release;
    }

    public static long sizeClass(long bytes) {
        long b = Math.max(MIN_BLOCK, bytes);
        long c = Long.highestOneBit(b);
        return c == b ? c : c << 1;
    }

    public synchronized long allocate(long bytes) {
        long cls = sizeClass(bytes);
        ArrayDeque<Long> list = free.get(cls);
        long ptr;
        if (list != null && !list.isEmpty()) {
            ptr = list.pop();
            cachedBytes -= cls;
        } else {
            try {
                ptr = malloc.applyAsLong(cls);
            } catch (DeviceException e) {
                if (cachedBytes == 0) {
                    throw e;
                }
                trim(); // out of memory with blocks cached: give them back and retry once
                ptr = malloc.applyAsLong(cls);
            }
            driverAllocations++;
        }
        live.put(ptr, cls);
        liveBytes += cls;
        return ptr;
    }

    public synchronized void free(long ptr) {
        Long cls = live.remove(ptr);
        if (cls == null) {
            throw new IllegalArgumentException("device pointer 0x" + Long.toHexString(ptr)
                    + " was not allocated by this pool (or was freed twice)");
        }
        liveBytes -= cls;
        free.computeIfAbsent(cls, c -> new ArrayDeque<>()).push(ptr);
        cachedBytes += cls;
    }

    /** Returns every cached (free) block to the driver. */
    public synchronized void trim() {
        for (ArrayDeque<Long> list : free.values()) {
            for (long p : list) {
                release.accept(p);
            }
            list.clear();
        }
        cachedBytes = 0;
    }

    public synchronized long liveBytes() {
        return liveBytes;
    }

    public synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** How many times the pool has called the driver's allocator. */
    public synchronized long driverAllocations() {
        return driverAllocations;
    }
}
