package org.wegeft.kernels;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Lets host-buffer tests (the conformance suite) drive a device backend ({@code hostAccessible() == false}): each
 * call copies its host buffers to device buffers, runs the kernel there, and copies every buffer back. Buffers that
 * overlap on the host (in-place calls, aliasing slices) share one device buffer covering their union, so aliasing
 * is preserved.
 */
final class HostStagingBackend implements KernelBackend {
    private final KernelBackend device;

    HostStagingBackend(KernelBackend device) {
        this.device = device;
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public Availability availability() {
        return device.availability();
    }

    @Override
    public int priority() {
        return device.priority();
    }

    private record Range(long start, long end, List<Integer> members) {
    }

    /** Stages {@code host} buffers (NULL stays NULL), runs {@code kernel} on the device twins, copies back. */
    private <T> T staged(Function<MemorySegment[], T> kernel, MemorySegment... host) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < host.length; i++) {
            if (!host[i].equals(MemorySegment.NULL)) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingLong(i -> host[i].address()));
        List<Range> ranges = new ArrayList<>();
        for (int i : order) {
            long s = host[i].address();
            long e = s + host[i].byteSize();
            Range last = ranges.isEmpty() ? null : ranges.getLast();
            if (last != null && s < last.end()) {
                last.members().add(i);
                ranges.set(ranges.size() - 1, new Range(last.start(), Math.max(last.end(), e), last.members()));
            } else {
                List<Integer> m = new ArrayList<>();
                m.add(i);
                ranges.add(new Range(s, e, m));
            }
        }
        MemorySegment[] dev = new MemorySegment[host.length];
        List<MemorySegment> buffers = new ArrayList<>();
        try {
            for (Range r : ranges) {
                long bytes = r.end() - r.start();
                MemorySegment hostRange = MemorySegment.ofAddress(r.start()).reinterpret(bytes);
                MemorySegment d = device.allocate(bytes);
                buffers.add(d);
                device.copyToDevice(hostRange, d, bytes);
                for (int i : r.members()) {
                    dev[i] = d.asSlice(host[i].address() - r.start(), host[i].byteSize());
                }
            }
            for (int i = 0; i < host.length; i++) {
                if (dev[i] == null) {
                    dev[i] = MemorySegment.NULL;
                }
            }
            T result = kernel.apply(dev);
            for (int j = 0; j < ranges.size(); j++) {
                Range r = ranges.get(j);
                long bytes = r.end() - r.start();
                device.copyToHost(buffers.get(j), MemorySegment.ofAddress(r.start()).reinterpret(bytes), bytes);
            }
            return result;
        } finally {
            for (MemorySegment b : buffers) {
                device.free(b);
            }
        }
    }

    private void run(java.util.function.Consumer<MemorySegment[]> kernel, MemorySegment... host) {
        staged(d -> {
            kernel.accept(d);
            return null;
        }, host);
    }

    @Override
    public void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        run(d -> device.gemm(spec, d[0], d[1], d[2]), a, b, c);
    }

    @Override
    public void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        run(d -> device.unary(op, d[0], d[1], n), x, y);
    }

    @Override
    public void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        run(d -> device.unaryBackward(op, d[0], d[1], d[2], n), x, dy, dx);
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        run(d -> device.affine(d[0], d[1], n, scale, shift), x, y);
    }

    @Override
    public void fill(MemorySegment y, long n, float value) {
        run(d -> device.fill(d[0], n, value), y);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        run(d -> device.binary(op, shape, d[0], aStrides, d[1], bStrides, d[2]), a, b, out);
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        run(d -> device.copyStrided(shape, d[0], srcStrides, d[1]), src, dst);
    }

    @Override
    public void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        run(d -> device.reduce(op, d[0], d[1], outer, dim, inner), x, out);
    }

    @Override
    public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        run(d -> device.softmax(d[0], d[1], rows, cols, causal, tq), x, y);
    }

    @Override
    public void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        run(d -> device.softmaxBackward(d[0], d[1], d[2], rows, cols), y, dy, dx);
    }

    @Override
    public void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        run(d -> device.layerNorm(d[0], d[1], d[2], d[3], d[4], d[5], rows, cols, eps), x, gamma, beta, y, mean,
                rstd);
    }

    @Override
    public void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        run(d -> device.layerNormBackward(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], rows, cols), x, gamma,
                mean, rstd, dy, dx, dgamma, dbeta);
    }

    @Override
    public void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd, int rows,
                        int cols, float eps) {
        run(d -> device.rmsNorm(d[0], d[1], d[2], d[3], rows, cols, eps), x, weight, y, rstd);
    }

    @Override
    public void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        run(d -> device.rmsNormBackward(d[0], d[1], d[2], d[3], d[4], d[5], rows, cols), x, weight, rstd, dy, dx,
                dweight);
    }

    @Override
    public void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        run(d -> device.embedding(d[0], d[1], d[2], n, vocab, dim), ids, table, out);
    }

    @Override
    public void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        run(d -> device.embeddingBackward(d[0], d[1], d[2], n, vocab, dim), ids, dout, dtable);
    }

    @Override
    public int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses, MemorySegment dlogits,
                            int rows, int classes, int ignoreIndex, float labelSmoothing) {
        return staged(d -> device.crossEntropy(d[0], d[1], d[2], d[3], rows, classes, ignoreIndex, labelSmoothing),
                logits, targets, losses, dlogits);
    }

    @Override
    public void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        run(s -> device.attention(s[0], s[1], s[2], s[3], s[4], bh, tq, tk, d, scale, causal), q, k, v, out, lse);
    }

    @Override
    public void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
        run(s -> device.attentionBackward(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], bh, tq, tk, d, scale,
                causal), q, k, v, out, lse, dout, dq, dk, dv);
    }

    @Override
    public void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
                     boolean inverse) {
        run(s -> device.rope(s[0], s[1], s[2], s[3], n, t, d, inverse), x, y, cos, sin);
    }

    @Override
    public void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int step) {
        run(s -> device.adamw(s[0], s[1], s[2], s[3], n, lr, beta1, beta2, eps, weightDecay, step), param, grad, m, v);
    }

    @Override
    public void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        run(s -> device.convert(from, s[0], to, s[1], n), src, dst);
    }
}
