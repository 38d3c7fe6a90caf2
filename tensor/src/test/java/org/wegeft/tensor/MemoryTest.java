package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Pooled memory is returned deterministically: by close(), by TensorScope, and by backward's graph release. */
class MemoryTest {

    @Test
    void sizeClassesArePowersOfTwoUpTo64KiBAndEighthsAbove() {
        assertEquals(64, MemoryPool.classSize(1));
        assertEquals(64, MemoryPool.classSize(64));
        assertEquals(128, MemoryPool.classSize(65));
        assertEquals(65536, MemoryPool.classSize(40_000));
        assertEquals(65536 + 8192, MemoryPool.classSize(65537));
        // a ViT-S/16 activation at batch 8: 1576 × 384 floats = 2,420,736 bytes (was a 4 MiB block)
        assertEquals(2_621_440, MemoryPool.classSize(1576L * 384 * 4));
        for (long b = 1; b < 1L << 33; b = b * 3 + 7) {
            long c = MemoryPool.classSize(b);
            assertTrue(c >= b, b + " → " + c);
            assertEquals(0, c % 64, "64-byte multiple: " + c);
            if (b > 65536) {
                assertTrue(c <= b * 1.125 + 1, b + " → " + c + " wastes more than an eighth");
            }
            assertEquals(c, MemoryPool.classSize(c), "a class size is its own class");
        }
    }

    @Test
    void randomInitialisationDoesNotNeedAJavaArrayOfTheTensorsSize() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Tensor warm = Tensor.randn(7, 1000)) {
            assertEquals(1000, warm.numel());
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        try (Tensor big = Tensor.randn(7, 4096, 1024); Tensor u = Tensor.rand(8, 4096, 1024)) {   // 16 MB each
            long heap = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(heap < 2 << 20, "random init allocated " + heap + " heap bytes for 32 MB of tensors");
            // same stream as one array of the whole size: the chunk boundary (65,536) is invisible
            try (Tensor small = Tensor.randn(7, 70_000)) {
                float[] a = small.toFloatArray();
                java.util.SplittableRandom r = new java.util.SplittableRandom(7);
                for (int i = 0; i < a.length; i++) {
                    assertEquals((float) r.nextGaussian(), a[i], 0f, "element " + i);
                }
            }
        }
    }

    @Test
    void trainingLoopInScopesKeepsLiveBytesFlat() {
        // (the pool is JVM-wide: the Cleaner may return blocks other tests leaked meanwhile, so comparisons
        // are "no growth", and per-tensor checks look at the storage itself)
        MemoryPool pool = MemoryPool.get();
        try (Tensor w1 = Tensor.randn(1, 16, 8).mul(0.3f);
             Tensor b1 = Tensor.zeros(16);
             Tensor w2 = Tensor.randn(2, 4, 16).mul(0.3f);
             Tensor x = Tensor.randn(3, 32, 8);
             Tensor y = Tensor.ofInts(new int[32], 32)) {
            for (Tensor p : new Tensor[] {w1, b1, w2}) {
                p.requiresGrad(true);
            }
            long[] live = new long[1000];
            float first = 0;
            float last = 0;
            for (int step = 0; step < 1000; step++) {
                try (TensorScope s = TensorScope.open()) {
                    Tensor h = Functional.gelu(Functional.linear(x, w1, b1), false);
                    Tensor logits = Functional.linear(h, w2, null);
                    Tensor loss = Functional.crossEntropy(logits, y);
                    loss.backward();
                    if (step == 0) {
                        first = loss.item();
                    }
                    last = loss.item();
                    try (Grad.Mode g = Grad.disabled()) {
                        for (Tensor p : new Tensor[] {w1, b1, w2}) {
                            p.addInPlace(p.grad(), -0.05f);
                            p.zeroGrad();
                        }
                    }
                }
                live[step] = pool.liveBytes();
            }
            assertTrue(last < first, "the loop trains: loss " + first + " -> " + last);
            // never above the level reached after warm-up: a leak of even one pooled block per step would
            // add >= 64 KB over the run (the pool is JVM-wide, so blocks other tests leaked may be returned
            // by the Cleaner meanwhile, which can only lower the count)
            for (int step = 10; step < 1000; step++) {
                assertTrue(live[step] <= live[10], "live pooled bytes grew from " + live[10] + " to " + live[step]
                        + " at step " + step);
            }
        }
    }

    @Test
    void settledStatsIncludeWhatTheCleanerFreed() {
        long before = MemoryStats.settled().liveBytes();
        forget(Tensor.randn(1, 256, 1024));   // 1 MB never closed: only the cleaner gives it back
        assertEquals(before, MemoryStats.settled().liveBytes());
    }

    @Test
    void releasingTheCacheFreesClosedBlocks() {
        Tensor.randn(2, 512, 1024).close();                  // 2 MB back into the cache
        assertTrue(MemoryStats.current().cachedBytes() >= 2 << 20);
        assertTrue(MemoryStats.releaseCached() >= 2 << 20);
        assertEquals(0, MemoryStats.current().cachedBytes());
    }

    /** Drops the only reference to t without closing it (a call of its own, so no local variable keeps it). */
    private static void forget(Tensor t) {
        assertEquals(256 * 1024, t.numel());
    }

    @Test
    void scopeClosesEverythingButKeptTensors() {
        long before = MemoryPool.get().liveBytes();
        Tensor kept;
        Tensor dropped;
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.randn(1, 100);
            dropped = a.exp();
            kept = s.keep(a.mul(2f));
            assertTrue(s.size() >= 2);
        }
        assertTrue(dropped.isClosed());
        assertFalse(kept.isClosed());
        assertEquals(100, kept.toFloatArray().length);
        assertFalse(dropped.storage().isLive(), "storage of an unkept intermediate returned to the pool");
        kept.close();
        assertFalse(kept.storage().isLive());
        assertTrue(MemoryPool.get().liveBytes() <= before);
    }

    @Test
    void keptLossCanRunBackwardAfterItsScope() {
        long before = MemoryPool.get().liveBytes();
        try (Tensor w = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true)) {
            Tensor loss;
            try (TensorScope s = TensorScope.open()) {
                loss = s.keep(w.exp().mul(w).sum());
            }
            loss.backward();
            loss.close();
            assertEquals((float) (Math.E * 2), w.grad().get(0), 1e-5f);
        }
        assertTrue(MemoryPool.get().liveBytes() <= before, "grad closes with its tensor; graph freed by backward");
    }

    @Test
    void forwardWithoutBackwardIsFreedByTheScope() {
        long before = MemoryPool.get().liveBytes();
        try (Tensor w = Tensor.randn(4, 8, 8).requiresGrad(true)) {
            for (int i = 0; i < 3; i++) {
                try (TensorScope s = TensorScope.open()) {
                    w.matmul(w).tanh().sum();
                }
            }
        }
        assertTrue(MemoryPool.get().liveBytes() <= before, "saved activations of an unused graph are freed");
    }

    @Test
    void viewsKeepStorageAliveUntilTheLastCloses() {
        long before = MemoryPool.get().liveBytes();
        Tensor x = Tensor.randn(1, 64);
        Tensor v = x.narrow(0, 8, 8);
        x.close();
        assertTrue(x.isClosed());
        assertEquals(8, v.toFloatArray().length, "view still readable after its base closed");
        assertTrue(x.storage().isLive());
        v.close();
        assertFalse(x.storage().isLive());
        assertTrue(MemoryPool.get().liveBytes() <= before);
    }
}
