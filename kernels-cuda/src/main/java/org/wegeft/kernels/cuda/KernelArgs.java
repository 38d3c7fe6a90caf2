package org.wegeft.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code void** kernelParams} of one cuLaunchKernel: each argument's value in native memory of a confined arena,
 * and an array of pointers to them. Device buffers are passed by their address (NULL → a null pointer).
 */
final class KernelArgs {
    private final Arena arena;
    private final List<MemorySegment> values = new ArrayList<>();

    KernelArgs(Arena arena) {
        this.arena = arena;
    }

    KernelArgs ptr(MemorySegment deviceBuffer) {
        return i64(deviceBuffer.address());
    }

    KernelArgs i32(int v) {
        values.add(arena.allocateFrom(JAVA_INT, v));
        return this;
    }

    KernelArgs i64(long v) {
        values.add(arena.allocateFrom(JAVA_LONG, v));
        return this;
    }

    KernelArgs f32(float v) {
        values.add(arena.allocateFrom(JAVA_FLOAT, v));
        return this;
    }

    /** A struct passed by value: its bytes, laid out as the CUDA C struct. */
    KernelArgs struct(MemorySegment bytes) {
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

    /**
     * The {@code Dims} struct of elementwise.cu: {@code long long sa[8], sb[8]; int shape[8]; int rank, pad;}
     * (168 bytes, 8-byte aligned).
     * @throws IllegalArgumentException for a rank above 8
     */
    static MemorySegment dims(Arena arena, int[] shape, long[] sa, long[] sb, String kernel) {
        if (shape.length > 8) {
            throw new IllegalArgumentException(kernel + ": the CUDA backend supports rank <= 8, got shape of rank "
                    + shape.length);
        }
        MemorySegment s = arena.allocate(168, 8);
        for (int d = 0; d < shape.length; d++) {
            s.setAtIndex(JAVA_LONG, d, sa[d]);
            s.setAtIndex(JAVA_LONG, 8 + d, sb.length > d ? sb[d] : 0);
            s.set(JAVA_INT, 128 + 4L * d, shape[d]);
        }
        s.set(JAVA_INT, 160, shape.length);
        return s;
    }
}
