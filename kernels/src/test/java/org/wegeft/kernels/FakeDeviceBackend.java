package org.wegeft.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for a GPU on machines without one: runs every kernel on a host backend but reports
 * {@code hostAccessible() == false}, hands out buffers from its own arena, and counts host ↔ device copies. It
 * exercises the device code paths (staging, explicit copies) of its callers on CPU.
 */
final class FakeDeviceBackend extends DelegatingBackend {
    private final Arena arena = Arena.ofShared();
    final AtomicLong toDevice = new AtomicLong();
    final AtomicLong toHost = new AtomicLong();

    FakeDeviceBackend(KernelBackend host) {
        super("fake-device", host);
    }

    @Override
    public boolean hostAccessible() {
        return false;
    }

    @Override
    public MemorySegment allocate(long bytes) {
        return arena.allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
    }

    @Override
    public void free(MemorySegment buffer) {
        // the arena lives as long as the backend
    }

    @Override
    public void copyToDevice(MemorySegment host, MemorySegment device, long bytes) {
        toDevice.incrementAndGet();
        MemorySegment.copy(host, 0, device, 0, bytes);
    }

    @Override
    public void copyToHost(MemorySegment device, MemorySegment host, long bytes) {
        toHost.incrementAndGet();
        MemorySegment.copy(device, 0, host, 0, bytes);
    }
}
