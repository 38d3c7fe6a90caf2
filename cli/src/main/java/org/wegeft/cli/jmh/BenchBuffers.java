package org.wegeft.cli.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Off-heap float32 / int32 buffers with reproducible random contents, for the benchmarks. */
final class BenchBuffers {
    private final Arena arena = Arena.ofShared();
    private final SplittableRandom random = new SplittableRandom(42);

    /** Uniform floats in [lo, hi). */
    MemorySegment floats(long n, double lo, double hi) {
        MemorySegment s = arena.allocate(Math.max(1, n) * Float.BYTES, 64);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (lo + (hi - lo) * random.nextDouble()));
        }
        return s;
    }

    MemorySegment floats(long n) {
        return floats(n, -1, 1);
    }

    MemorySegment zeros(long n) {
        return arena.allocate(Math.max(1, n) * Float.BYTES, 64);
    }

    /** Uniform ints in [0, bound). */
    MemorySegment ints(long n, int bound) {
        MemorySegment s = arena.allocate(Math.max(1, n) * Integer.BYTES, 64);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_INT, i, random.nextInt(bound));
        }
        return s;
    }

    void close() {
        arena.close();
    }
}
