package org.wegeft.tensor;

/**
 * Off-heap bytes held by the tensor memory pool at one moment: {@code liveBytes} in use by open tensors,
 * {@code cachedBytes} released but kept for reuse, {@code peakLiveBytes} the most ever live at once.
 * Used by long-run checks (e.g. {@code wegeft bench soak}) to see that a training loop does not leak.
 */
public record MemoryStats(long liveBytes, long cachedBytes, long peakLiveBytes) {
    /** The pool's figures now. */
    public static MemoryStats current() {
        MemoryPool p = MemoryPool.get();
        return new MemoryStats(p.liveBytes(), p.cachedBytes(), p.peakLiveBytes());
    }

    /** Live plus cached: all off-heap bytes the pool holds. */
    public long heldBytes() {
        return liveBytes + cachedBytes;
    }
}
