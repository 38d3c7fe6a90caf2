package org.wegeft.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Host memory for the default {@link KernelBackend#allocate} / {@link KernelBackend#free}: each buffer has its own
 * shared arena (kernels run on pool threads), closed when the buffer is freed.
 */
final class HostMemory {
    private static final Map<Long, Arena> ARENAS = new ConcurrentHashMap<>();

    private HostMemory() {
    }

    static MemorySegment allocate(long bytes) {
        Arena arena = Arena.ofShared();
        MemorySegment s = arena.allocate(Math.max(1, bytes), 64);
        ARENAS.put(s.address(), arena);
        return bytes == 0 ? s.asSlice(0, 0) : s;
    }

    static void free(MemorySegment buffer) {
        Arena arena = ARENAS.remove(buffer.address());
        if (arena != null) {
            arena.close();
        }
    }
}
