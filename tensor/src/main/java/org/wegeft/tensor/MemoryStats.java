package org.wegeft.tensor;

/**
 * A snapshot of the off-heap tensor memory pool (what tensors hold outside the Java heap): bytes held by live
 * tensors now, the most ever held at once since the JVM started, and bytes cached for reuse. Used by the
 * memory benchmarks and long-run checks ({@code wegeft bench llm-memory}, {@code wegeft bench soak}).
 *
 * @param liveBytes     bytes of blocks held by live tensors (rounded up to their power-of-two size class)
 * @param peakLiveBytes the largest {@code liveBytes} seen so far in this JVM
 * @param cachedBytes   bytes of released blocks kept for reuse (resident, but not live)
 * @param peakHeldBytes the largest live-plus-cached total seen so far: the pool's share of the peak resident set
 */
public record MemoryStats(long liveBytes, long peakLiveBytes, long cachedBytes, long peakHeldBytes) {
    /** The pool's figures now. */
    public static MemoryStats current() {
        MemoryPool p = MemoryPool.get();
        synchronized (p) {
            return new MemoryStats(p.liveBytes(), p.peakLiveBytes(), p.cachedBytes(), p.peakHeldBytes());
        }
    }

    /**
     * The pool's figures once the tensors nobody references any more have given their memory back: runs the garbage
     * collector and waits (at most a second) until the cleaner has freed what it found, that is until live bytes stop
     * changing. For measurements: without it a collection that happens to run in the middle of one (set off by
     * any allocation) frees blocks of earlier, forgotten tensors and makes a difference of two snapshots too small,
     * or negative.
     */
    public static MemoryStats settled() {
        long deadline = System.nanoTime() + 1_000_000_000L;
        long last = -1;
        int stable = 0;
        while (stable < 3 && System.nanoTime() < deadline) {
            System.gc();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long live = current().liveBytes();
            stable = live == last ? stable + 1 : 0;
            last = live;
        }
        return current();
    }

    /** Starts the pool's peak figures over from now, to measure the peak of what follows. */
    public static void resetPeaks() {
        MemoryPool.get().resetPeaks();
    }

    /**
     * Frees every block the pool keeps for reuse, so that it leaves the resident set; returns the bytes freed. For
     * the end of a phase whose block sizes will not come back, e.g. a model's float32 weights replaced by bf16
     * copies before training: cached, those blocks would stay resident (up to the pool's cap) all run long.
     */
    public static long releaseCached() {
        MemoryPool p = MemoryPool.get();
        synchronized (p) {
            long cached = p.cachedBytes();
            p.trim();
            return cached;
        }
    }

    /** Live plus cached: all off-heap bytes the pool holds. */
    public long heldBytes() {
        return liveBytes + cachedBytes;
    }
}
