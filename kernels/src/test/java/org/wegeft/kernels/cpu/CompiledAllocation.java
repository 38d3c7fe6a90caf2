package org.wegeft.kernels.cpu;

import java.lang.management.ManagementFactory;

/**
 * Heap allocated per call by a kernel once C2 has compiled it: calls it in rounds until a round's allocation per
 * call falls below the bound or 20 s have passed, and returns the last round's figure. Counts this thread's
 * allocation, or every thread's for kernels that run on the pool.
 */
final class CompiledAllocation {
    private static final long DEADLINE_NANOS = 20_000_000_000L;

    private CompiledAllocation() {
    }

    static long bytesPerCall(Runnable call, int callsPerRound, long boundBytes, boolean allThreads) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long perCall;
        do {
            long before = allThreads ? mx.getTotalThreadAllocatedBytes() : mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < callsPerRound; i++) {
                call.run();
            }
            long after = allThreads ? mx.getTotalThreadAllocatedBytes() : mx.getCurrentThreadAllocatedBytes();
            perCall = (after - before) / callsPerRound;
        } while (perCall >= boundBytes && System.nanoTime() < deadline);
        return perCall;
    }
}
