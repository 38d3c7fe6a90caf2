package org.wegeft.kernels.cpu;

import java.lang.foreign.MemorySegment;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.Availability;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.GemmSpec;
import org.wegeft.kernels.KernelBackend;
import org.wegeft.kernels.Parallel;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.ReduceOp;
import org.wegeft.kernels.UnaryOp;
import org.wegeft.kernels.WeightDropout;

/**
 * The multi-threaded SIMD CPU backend ("cpu"): Vector API loops, parallel over rows or fixed element blocks
 * with {@link Parallel}. Work is partitioned statically and partial results are combined in a fixed order,
 * so outputs are bit-identical run to run.
 *
 * <p>This class names no Vector API type, so it loads (and reports itself unavailable) on a JVM started
 * without {@code --add-modules jdk.incubator.vector}; the kernel classes are only touched after the check.
 */
public final class CpuBackend implements KernelBackend {
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    public CpuBackend() {
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return Availability.no("the Vector API is missing: start the JVM with --add-modules " + VECTOR_MODULE);
        }
        try {
            return Availability.yes("Vector API, " + CpuVec.describe() + ", " + Parallel.threads() + " threads");
        } catch (LinkageError e) {
            return Availability.no("the Vector API failed to initialise (" + e + "): start the JVM with "
                    + "--add-modules " + VECTOR_MODULE);
        }
    }

    @Override
    public void gemm(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment c) {
        CpuGemm.gemm(spec, a, b, c);
    }

    /** The bias is added in the blocked GEMM's tile store; skinny and degenerate products take the default path. */
    @Override
    public void gemmBias(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c) {
        if (CpuGemm.fusesStore(spec)) {
            CpuGemm.gemmBias(spec, a, b, bias, c);
        } else {
            KernelBackend.super.gemmBias(spec, a, b, bias, c);
        }
    }

    /** The addend is read in the blocked GEMM's tile store; other products take the default path. */
    @Override
    public void gemmAddend(GemmSpec spec, MemorySegment a, MemorySegment b, MemorySegment d, MemorySegment c) {
        if (spec.batch() == 1 && CpuGemm.fusesStore(spec)) {
            CpuGemm.gemmAddend(spec, a, b, d, c);
        } else {
            KernelBackend.super.gemmAddend(spec, a, b, d, c);
        }
    }

    /**
     * A half-precision or dropped weight is widened and dropped as the blocked GEMM packs it (a product split at
     * {@link WeightDropout#firstRow} packs each panel plainly, then dropped from the packed floats); skinny and
     * degenerate products take the default path (a widened copy first).
     */
    @Override
    public void gemmWeight(GemmSpec spec, MemorySegment a, DType bType, MemorySegment b,
                           @Nullable WeightDropout dropout, MemorySegment bias, MemorySegment c) {
        // no row reads drop(B): a plain read
        WeightDropout d = dropout != null && dropout.firstRow() >= spec.m() && spec.batch() == 1 ? null : dropout;
        boolean plain = bType == DType.F32 && d == null;
        boolean split = d != null && d.firstRow() > 0;
        if (!plain && CpuGemm.takesWeight(spec, !bias.equals(MemorySegment.NULL)) && (!split || spec.batch() == 1)) {
            CpuGemm.gemmWeight(spec, a, WeightRead.of(bType, d), b, bias, c);
        } else {
            KernelBackend.super.gemmWeight(spec, a, bType, b, d, bias, c);
        }
    }

    /**
     * One blocked product over both row ranges, each packed from its own buffer, where {@link CpuGemm#takesStacked}
     * takes it (a skinny or degenerate product takes the default: two products).
     */
    @Override
    public void gemmWeightStacked(GemmSpec spec, MemorySegment a, MemorySegment lower, DType bType, MemorySegment b,
                                  WeightDropout dropout, MemorySegment bias, MemorySegment c) {
        if (CpuGemm.takesStacked(spec, !bias.equals(MemorySegment.NULL), dropout.firstRow())) {
            CpuGemm.gemmWeightStacked(spec, a, lower, WeightRead.of(bType, dropout), b, bias, c);
        } else {
            KernelBackend.super.gemmWeightStacked(spec, a, lower, bType, b, dropout, bias, c);
        }
    }

    /**
     * The edit applied as the blocked GEMM packs A, where {@link CpuGemm#takesEdited} takes the product; others take
     * the default (the edited A written first).
     */
    @Override
    public boolean fusesEditedA(GemmSpec spec, int r, DType bType, boolean hasBias) {
        return bType.isFloating() && CpuGemm.takesEdited(spec, r, hasBias, plainRead(bType));
    }

    @Override
    public void gemmEditedA(GemmSpec spec, MemorySegment x, MemorySegment u, MemorySegment e, int r, float editScale,
                            DType bType, MemorySegment b, MemorySegment bias, MemorySegment c) {
        if (fusesEditedA(spec, r, bType, !bias.equals(MemorySegment.NULL))) {
            CpuGemm.gemmEditedA(spec, x, u, e, r, editScale, plainRead(bType), b, bias, c);
        } else {
            KernelBackend.super.gemmEditedA(spec, x, u, e, r, editScale, bType, b, bias, c);
        }
    }

    /** How the blocked kernel reads a weight of this dtype without dropout: null for plain float32. */
    private static @Nullable WeightRead plainRead(DType bType) {
        return bType == DType.F32 ? null : WeightRead.of(bType, null);
    }

    @Override
    public void gemmQuantized(GemmSpec spec, MemorySegment a, QuantizedWeight b, @Nullable WeightDropout dropout,
                              MemorySegment bias, MemorySegment c) {
        WeightDropout d = dropout != null && dropout.firstRow() >= spec.m() && spec.batch() == 1 ? null : dropout;
        boolean split = d != null && d.firstRow() > 0;
        boolean hasBias = !bias.equals(MemorySegment.NULL);
        b.checkOperand(spec, hasBias);
        if (CpuGemm.takesWeight(spec, hasBias) && (!split || spec.batch() == 1)) {
            // the kernels index B from element 0 of the weight; the segment they are given is never read
            CpuGemm.gemmWeight(spec, a, WeightRead.of(b, d), b.codes(), bias, c);
        } else {
            KernelBackend.super.gemmQuantized(spec, a, b, d, bias, c);
        }
    }

    @Override
    public void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        CpuElementwise.unary(op, x, y, n);
    }

    @Override
    public void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        CpuElementwise.unaryBackward(op, x, dy, dx, n);
    }

    @Override
    public void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        CpuElementwise.affine(x, y, n, scale, shift);
    }

    @Override
    public void fill(MemorySegment y, long n, float value) {
        CpuElementwise.fill(y, n, value);
    }

    @Override
    public void binary(BinaryOp op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        CpuBinary.binary(op, shape, a, aStrides, b, bStrides, out);
    }

    @Override
    public void copyStrided(int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        CpuBinary.copyStrided(shape, src, srcStrides, dst);
    }

    @Override
    public void reduce(ReduceOp op, MemorySegment x, MemorySegment out, int outer, int dim, int inner) {
        CpuReduce.reduce(op, x, out, outer, dim, inner);
    }

    @Override
    public void softmax(MemorySegment x, MemorySegment y, int rows, int cols, boolean causal, int tq) {
        CpuReduce.softmax(x, y, rows, cols, causal, tq);
    }

    @Override
    public void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, int rows, int cols) {
        CpuReduce.softmaxBackward(y, dy, dx, rows, cols);
    }

    @Override
    public void layerNorm(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
                          MemorySegment mean, MemorySegment rstd, int rows, int cols, float eps) {
        CpuNorms.layerNorm(x, gamma, beta, y, mean, rstd, rows, cols, eps);
    }

    @Override
    public void layerNormBackward(MemorySegment x, MemorySegment gamma, MemorySegment mean, MemorySegment rstd,
                                  MemorySegment dy, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
                                  int rows, int cols) {
        CpuNorms.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
    }

    @Override
    public void rmsNorm(MemorySegment x, MemorySegment weight, MemorySegment y, MemorySegment rstd, int rows,
                        int cols, float eps) {
        CpuNorms.rmsNorm(x, weight, y, rstd, rows, cols, eps);
    }

    @Override
    public void rmsNormBackward(MemorySegment x, MemorySegment weight, MemorySegment rstd, MemorySegment dy,
                                MemorySegment dx, MemorySegment dweight, int rows, int cols) {
        CpuNorms.rmsNormBackward(x, weight, rstd, dy, dx, dweight, rows, cols);
    }

    @Override
    public void embedding(MemorySegment ids, MemorySegment table, MemorySegment out, int n, int vocab, int dim) {
        CpuLoss.embedding(ids, table, out, n, vocab, dim);
    }

    @Override
    public void embeddingBackward(MemorySegment ids, MemorySegment dout, MemorySegment dtable, int n, int vocab,
                                  int dim) {
        CpuLoss.embeddingBackward(ids, dout, dtable, n, vocab, dim);
    }

    @Override
    public int crossEntropy(MemorySegment logits, MemorySegment targets, MemorySegment losses,
                            MemorySegment dlogits, int rows, int classes, int ignoreIndex, float labelSmoothing) {
        return CpuLoss.crossEntropy(logits, targets, losses, dlogits, rows, classes, ignoreIndex, labelSmoothing);
    }

    @Override
    public void attention(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out, MemorySegment lse,
                          int bh, int tq, int tk, int d, float scale, boolean causal) {
        CpuAttention.attention(q, k, v, out, lse, bh, tq, tk, d, scale, causal);
    }

    @Override
    public void attentionBackward(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment out,
                                  MemorySegment lse, MemorySegment dout, MemorySegment dq, MemorySegment dk,
                                  MemorySegment dv, int bh, int tq, int tk, int d, float scale, boolean causal) {
        CpuAttention.attentionBackward(q, k, v, out, lse, dout, dq, dk, dv, bh, tq, tk, d, scale, causal);
    }

    @Override
    public void attentionTokenMajor(MemorySegment q, int ldq, MemorySegment k, int ldk, MemorySegment v, int ldv,
                                    MemorySegment out, int ldo, MemorySegment lse, int batch, int heads, int tq,
                                    int tk, int d, float scale, boolean causal) {
        CpuAttention.attention(q, ldq, k, ldk, v, ldv, out, ldo, lse, batch, heads, tq, tk, d, scale, causal);
    }

    @Override
    public void attentionBackwardTokenMajor(MemorySegment q, int ldq, MemorySegment k, int ldk, MemorySegment v,
                                            int ldv, MemorySegment out, int ldo, MemorySegment lse,
                                            MemorySegment dout, MemorySegment dq, MemorySegment dk, MemorySegment dv,
                                            int batch, int heads, int tq, int tk, int d, float scale,
                                            boolean causal) {
        CpuAttention.attentionBackward(q, ldq, k, ldk, v, ldv, out, ldo, lse, dout, dq, dk, dv, batch, heads, tq, tk,
                d, scale, causal);
    }

    @Override
    public void rope(MemorySegment x, MemorySegment y, MemorySegment cos, MemorySegment sin, int n, int t, int d,
                     boolean inverse) {
        CpuRope.rope(x, y, cos, sin, n, t, d, inverse);
    }

    @Override
    public void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int step) {
        CpuAdamW.adamw(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override
    public void convert(DType from, MemorySegment src, DType to, MemorySegment dst, long n) {
        CpuConvert.convert(from, src, to, dst, n);
    }

    @Override
    public String toString() {
        return "CpuBackend[" + availability().reason() + "]";
    }
}
