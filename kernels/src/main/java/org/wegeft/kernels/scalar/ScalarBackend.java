package org.wegeft.kernels.scalar;

import java.lang.foreign.MemorySegment;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;

/**
 * The reference backend: single-threaded, obviously-correct loops that accumulate in double, so it is
 * more precise than any fast backend. It is the oracle of every kernel test and is always available,
 * at the lowest priority. Each kernel family lives in a package-private helper
 * ({@code ScalarGemm}, {@code ScalarElementwise}, {@code ScalarNorms}, {@code ScalarLosses},
 * {@code ScalarAttention}, {@code ScalarOptim}, {@code ScalarConvert}).
 */
public final class ScalarBackend implements KernelBackend {

    public static final String NAME = "scalar";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return Availability.yes("reference loops, always available");
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        ScalarGemm.gemm(spec, a, b, c);
    }

    @Override
    public void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        ScalarElementwise.unary(op, x, y, n);
    }

    @Override
    public void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        ScalarElementwise.unaryBackward(op, x, dy, dx, n);
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        ScalarElementwise.affine(x, y, n, scale, shift);
    }

    @Override
    public void fill(MemorySegment y, long n, float value) {
        ScalarElementwise.fill(y, n, value);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        ScalarElementwise.binary(op, shape, a, aStrides, b, bStrides, out);
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        ScalarElementwise.copyStrided(shape, src, srcStrides, dst);
    }

    @Override
    public void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        ScalarElementwise.reduce(op, x, out, outer, dim, inner);
    }

    @Override
    public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        ScalarNorms.softmax(x, y, rows, cols, causal, tq);
    }

    @Override
    public void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        ScalarNorms.softmaxBackward(y, dy, dx, rows, cols);
    }

    @Override
    public void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        ScalarNorms.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps);
    }

    @Override
    public void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        ScalarNorms.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
    }

    @Override
    public void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd,
                        int rows, int cols, float eps) {
        ScalarNorms.rmsNorm(x, weight, y, rstd, rows, cols, eps);
    }

    @Override
    public void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        ScalarNorms.rmsNormBackward(x, weight, rstd, dy, dx, dweight, rows, cols);
    }

    @Override
    public void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        ScalarLosses.embedding(ids, table, out, n, vocab, dim);
    }

    @Override
    public void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        ScalarLosses.embeddingBackward(ids, dout, dtable, n, vocab, dim);
    }

    @Override
    public int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses,
                            MemorySegment dlogits, int rows, int classes, int ignoreIndex, float labelSmoothing) {
        return ScalarLosses.crossEntropy(logits, targets, losses, dlogits, rows, classes, ignoreIndex,
                labelSmoothing);
    }

    @Override
    public void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        ScalarAttention.attention(q, k, v, out, lse, bh, tq, tk, d, scale, causal);
    }

    @Override
    public void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
        // out is not needed: Σ_j p_j·dp_j is recomputed in double instead of read as dout·out
        ScalarAttention.attentionBackward(q, k, v, lse, dout, dq, dk, dv, bh, tq, tk, d, scale, causal);
    }

    @Override
    public void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
                     boolean inverse) {
        ScalarAttention.rope(x, y, cos, sin, n, t, d, inverse);
    }

    @Override
    public void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int step) {
        ScalarOptim.adamw(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override
    public void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        ScalarConvert.convert(from, src, to, dst, n);
    }
}
