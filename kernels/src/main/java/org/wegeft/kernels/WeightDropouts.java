package org.wegeft.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@link WeightDropout} applied to a float32 buffer element by element: the reference of the fused kernels. */
final class WeightDropouts {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private WeightDropouts() {
    }

    /** x[e] ← dropout(x[e]) for e in [0, n), on the host (copied there and back when x is not host memory). */
    static void applyInPlace(KernelBackend be, WeightDropout d, MemorySegment x, long n) {
        long bytes = n * Float.BYTES;
        MemorySegment host = be.hostAccessible() ? x : HostMemory.allocate(bytes);
        try {
            if (host != x) {
                be.copyToHost(x, host, bytes);
            }
            for (long e = 0; e < n; e++) {
                host.setAtIndex(F, e, d.apply(e, host.getAtIndex(F, e)));
            }
            if (host != x) {
                be.copyToDevice(host, x, bytes);
            }
        } finally {
            if (host != x) {
                HostMemory.free(host);
            }
        }
    }
}
