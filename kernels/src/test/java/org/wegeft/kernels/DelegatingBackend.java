package org.wegeft.kernels;

import java.lang.foreign.MemorySegment;

/** Forwards every kernel to another backend; tests override single kernels to build broken backends. */
class DelegatingBackend implements KernelBackend {
    protected final KernelBackend delegate;
    private final String name;

    DelegatingBackend(String name, KernelBackend delegate) {
        this.name = name;
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Availability availability() {
        return delegate.availability();
    }

    @Override
    public int priority() {
        return delegate.priority();
    }

    @Override
    public void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        delegate.gemm(spec, a, b, c);
    }

    @Override
    public void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        delegate.unary(op, x, y, n);
    }

    @Override
    public void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        delegate.unaryBackward(op, x, dy, dx, n);
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        delegate.affine(x, y, n, scale, shift);
    }

    @Override
    public void fill(MemorySegment y, long n, float value) {
        delegate.fill(y, n, value);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        delegate.binary(op, shape, a, aStrides, b, bStrides, out);
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        delegate.copyStrided(shape, src, srcStrides, dst);
    }

    @Override
    public void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        delegate.reduce(op, x, out, outer, dim, inner);
    }

    @Override
    public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        delegate.softmax(x, y, rows, cols, causal, tq);
    }

    @Override
    public void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        delegate.softmaxBackward(y, dy, dx, rows, cols);
    }

    @Override
    public void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        delegate.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps);
    }

    @Override
    public void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        delegate.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
    }

    @Override
    public void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd, int rows,
                        int cols, float eps) {
        delegate.rmsNorm(x, weight, y, rstd, rows, cols, eps);
    }

    @Override
    public void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        delegate.rmsNormBackward(x, weight, rstd, dy, dx, dweight, rows, cols);
    }

    @Override
    public void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        delegate.embedding(ids, table, out, n, vocab, dim);
    }

    @Override
    public void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        delegate.embeddingBackward(ids, dout, dtable, n, vocab, dim);
    }

    @Override
    public int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses, MemorySegment dlogits,
                            int rows, int classes, int ignoreIndex, float labelSmoothing) {
        return delegate.crossEntropy(logits, targets, losses, dlogits, rows, classes, ignoreIndex, labelSmoothing);
    }

    @Override
    public void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        delegate.attention(q, k, v, out, lse, bh, tq, tk, d, scale, causal);
    }

    @Override
    public void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
        delegate.attentionBackward(q, k, v, out, lse, dout, dq, dk, dv, bh, tq, tk, d, scale, causal);
    }

    @Override
    public void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
                     boolean inverse) {
        delegate.rope(x, y, cos, sin, n, t, d, inverse);
    }

    @Override
    public void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int step) {
        delegate.adamw(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override
    public void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        delegate.convert(from, src, to, dst, n);
    }
}
