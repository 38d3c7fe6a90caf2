package org.wegeft.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.wegeft.kernels.device.DeviceKernelBackend;

/**
 * The {@code void** kernelParams} of one cuLaunchKernel: each argument's value in native memory of a confined arena,
 * and an array of pointers to them. Device buffers are passed by their address (NULL → a null pointer).
 */
final class KernelArgs implements DeviceKernelBackend.LaunchArgs {
    private final Arena arena;
    private final List<MemorySegment> values = new ArrayList<>();

    KernelArgs(Arena arena) {
        this.arena = arena;
    }

    @Override
    public KernelArgs ptr(MemorySegment deviceBuffer) {
        return i64(deviceBuffer.address());
    }

    @Override
    public KernelArgs i32(int v) {
        values.add(arena.allocateFrom(JAVA_INT, v));
        return this;
    }

    @Override
    public KernelArgs i64(long v) {
        values.add(arena.allocateFrom(JAVA_LONG, v));
        return this;
    }

    @Override
    public KernelArgs f32(float v) {
        values.add(arena.allocateFrom(JAVA_FLOAT, v));
        return this;
    }

    @Override
    public KernelArgs struct(MemorySegment bytes) {
        values.add(bytes);
        return this;
    }

    MemorySegment pointers() {
        MemorySegment array = arena.allocate(ADDRESS, Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, values.get(i));
        }
        return array;
    }
}
