package org.wegeft.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;
import org.wegeft.kernels.cpu.CpuBackend;

/**
 * A GPU stand-in for CPU-only tests of the tensor module's device path: {@code hostAccessible() == false}, kernels
 * delegated to a host backend, host ↔ device copies counted.
 *
 * <p>Device buffers are real memory of this backend's own arena, but the segments handed out are slices of a
 * segment confined to a private thread: Java code that reads or writes one directly (a host path that forgot
 * {@link HostAccess}) gets a {@link WrongThreadException}, as host code on a GPU pointer would crash. Kernels and
 * copies translate them back, and fail when handed a segment that is not a live buffer of this device (a host
 * pointer reaching a device kernel).
 *
 * <p>Registered for {@link java.util.ServiceLoader} in the tensor tests with priority 0 (never chosen by default):
 * {@code ./mvnw -pl tensor test -Dwegeft.backend=pretend-device} runs the whole suite on it.
 */
public final class PretendDevice implements KernelBackend {
    private final KernelBackend host;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment unreachable;
    /** base address → size of every live buffer. */
    private final TreeMap<Long, Long> live = new TreeMap<>();
    /** Freed buffers by size, reused (the device pool). */
    private final Map<Long, ArrayDeque<MemorySegment>> pool = new HashMap<>();
    final AtomicLong toDevice = new AtomicLong();
    final AtomicLong toHost = new AtomicLong();
    final AtomicLong kernels = new AtomicLong();

    /** For {@link java.util.ServiceLoader}: {@code -Dwegeft.backend=pretend-device} runs tensor tests on it. */
    public PretendDevice() {
        this(new CpuBackend());
    }

    PretendDevice(KernelBackend host) {
        this.host = host;
        ExecutorService owner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "pretend-device-owner");
            t.setDaemon(true);
            return t;
        });
        try {
            // every address, confined to a thread that never touches it again
            unreachable = owner.submit(() -> MemorySegment.ofAddress(0).reinterpret(Long.MAX_VALUE,
                    Arena.ofConfined(), null)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            owner.shutdown();
        }
    }

    @Override
    public String name() {
        return "pretend-device";
    }

    @Override
    public Availability availability() {
        return host.availability();
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean hostAccessible() {
        return false;
    }

    long copies() {
        return toDevice.get() + toHost.get();
    }

    synchronized int liveBuffers() {
        return live.size();
    }

    // ------------------------------------------------------------------ memory

    @Override
    public synchronized MemorySegment allocate(long bytes) {
        long size = Math.max(1, bytes);
        ArrayDeque<MemorySegment> q = pool.get(size);
        MemorySegment real = q == null || q.isEmpty() ? arena.allocate(size, 64) : q.pop();
        live.put(real.address(), size);
        return unreachable.asSlice(real.address(), bytes);
    }

    @Override
    public synchronized void free(MemorySegment buffer) {
        Long size = live.remove(buffer.address());
        if (size == null || !isOurs(buffer)) {
            throw new AssertionError("free of a segment that is not a live pretend-device buffer: " + buffer);
        }
        pool.computeIfAbsent(size, k -> new ArrayDeque<>()).push(MemorySegment.ofAddress(buffer.address())
                .reinterpret(size));
    }

    @Override
    public void copyToDevice(MemorySegment hostSeg, MemorySegment device, long bytes) {
        checkHost(hostSeg, "copyToDevice");
        toDevice.incrementAndGet();
        MemorySegment.copy(hostSeg, 0, real(device), 0, bytes);
    }

    @Override
    public void copyToHost(MemorySegment device, MemorySegment hostSeg, long bytes) {
        checkHost(hostSeg, "copyToHost");
        toHost.incrementAndGet();
        MemorySegment.copy(real(device), 0, hostSeg, 0, bytes);
    }

    @Override
    public void copy(MemorySegment src, MemorySegment dst, long bytes) {
        MemorySegment.copy(real(src), 0, real(dst), 0, bytes);
    }

    private boolean isOurs(MemorySegment s) {
        return s.scope().equals(unreachable.scope());
    }

    private void checkHost(MemorySegment s, String what) {
        if (isOurs(s) || !s.isNative()) {
            throw new AssertionError(what + ": the host side must be native host memory, got " + s);
        }
    }

    /** The real memory behind a device segment; fails for anything else (a host pointer reaching a device kernel). */
    private MemorySegment real(MemorySegment s) {
        if (s.equals(MemorySegment.NULL)) {
            return s;
        }
        if (!isOurs(s)) {
            throw new AssertionError("a device kernel was handed a segment that is not device memory: " + s);
        }
        synchronized (this) {
            Map.Entry<Long, Long> e = live.floorEntry(s.address());
            if (e == null || s.address() + s.byteSize() > e.getKey() + e.getValue()) {
                throw new AssertionError("a device kernel was handed a segment outside every live buffer: " + s);
            }
        }
        return MemorySegment.ofAddress(s.address()).reinterpret(s.byteSize());
    }

    private void k() {
        kernels.incrementAndGet();
    }

    // ------------------------------------------------------------------ kernels (delegated)

    @Override
    public void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        k();
        host.gemm(spec, real(a), real(b), real(c));
    }

    @Override
    public void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        k();
        host.unary(op, real(x), real(y), n);
    }

    @Override
    public void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        k();
        host.unaryBackward(op, real(x), real(dy), real(dx), n);
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        k();
        host.affine(real(x), real(y), n, scale, shift);
    }

    @Override
    public void fill(MemorySegment y, long n, float value) {
        k();
        host.fill(real(y), n, value);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        k();
        host.binary(op, shape, real(a), aStrides, real(b), bStrides, real(out));
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        k();
        host.copyStrided(shape, real(src), srcStrides, real(dst));
    }

    @Override
    public void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        k();
        host.reduce(op, real(x), real(out), outer, dim, inner);
    }

    @Override
    public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        k();
        host.softmax(real(x), real(y), rows, cols, causal, tq);
    }

    @Override
    public void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        k();
        host.softmaxBackward(real(y), real(dy), real(dx), rows, cols);
    }

    @Override
    public void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        k();
        host.layerNorm(real(x), real(gamma), real(beta), real(y), real(mean), real(rstd), rows, cols, eps);
    }

    @Override
    public void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        k();
        host.layerNormBackward(real(x), real(gamma), real(mean), real(rstd), real(dy), real(dx), real(dgamma),
                real(dbeta), rows, cols);
    }

    @Override
    public void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd, int rows,
                        int cols, float eps) {
        k();
        host.rmsNorm(real(x), real(weight), real(y), real(rstd), rows, cols, eps);
    }

    @Override
    public void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        k();
        host.rmsNormBackward(real(x), real(weight), real(rstd), real(dy), real(dx), real(dweight), rows, cols);
    }

    @Override
    public void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        k();
        host.embedding(real(ids), real(table), real(out), n, vocab, dim);
    }

    @Override
    public void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        k();
        host.embeddingBackward(real(ids), real(dout), real(dtable), n, vocab, dim);
    }

    @Override
    public int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses, MemorySegment dlogits,
                            int rows, int classes, int ignoreIndex, float labelSmoothing) {
        k();
        return host.crossEntropy(real(logits), real(targets), real(losses), real(dlogits), rows, classes, ignoreIndex,
                labelSmoothing);
    }

    @Override
    public void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        k();
        host.attention(real(q), real(k), real(v), real(out), real(lse), bh, tq, tk, d, scale, causal);
    }

    @Override
    public void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
        k();
        host.attentionBackward(real(q), real(k), real(v), real(out), real(lse), real(dout), real(dq), real(dk),
                real(dv), bh, tq, tk, d, scale, causal);
    }

    @Override
    public void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
                     boolean inverse) {
        k();
        host.rope(real(x), real(y), real(cos), real(sin), n, t, d, inverse);
    }

    @Override
    public void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int step) {
        k();
        host.adamw(real(param), real(grad), real(m), real(v), n, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override
    public void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        k();
        host.convert(from, real(src), to, real(dst), n);
    }
}
