package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.ReduceOp;

/**
 * Fused softmax cross-entropy over logits (N, C) with I32 targets (N), mean over the rows whose target
 * is not {@code ignoreIndex}, optional label smoothing (torch semantics). The forward kernel also
 * produces the per-row gradient softmax − target, which backward scales by dy / count.
 */
final class CrossEntropyOp extends Node {
    private final Tensor dlogits;
    private final int count;

    private CrossEntropyOp(Tensor logits, Tensor dlogits, int count) {
        super(logits);
        this.dlogits = save(dlogits);
        this.count = count;
    }

    static Tensor apply(Tensor logits, Tensor targets, int ignoreIndex, float labelSmoothing) {
        if (logits.dim() != 2 || targets.dim() != 1 || targets.size(0) != logits.size(0)) {
            throw new ShapeMismatchException("crossEntropy expects logits (N, C) and targets (N), got " + logits
                    + " and " + targets);
        }
        if (targets.dtype() != DType.I32) {
            throw new IllegalArgumentException("crossEntropy targets must be I32, got " + targets);
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("crossEntropy labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        int rows = Shapes.checkedInt(logits.size(0), "crossEntropy");
        int classes = Shapes.checkedInt(logits.size(1), "crossEntropy");
        boolean record = Node.shouldRecord(logits);
        try (Operand lo = Operand.f32(logits);
             Operand to = Operand.contiguous(targets);
             Tensor losses = Raw.empty(DType.F32, new long[] {1, rows});
             Tensor dl = record ? Raw.empty(DType.F32, new long[] {rows, classes}) : null) {
            int count = Raw.be().crossEntropy(lo.seg(), to.seg(), losses.seg(),
                    dl == null ? MemorySegment.NULL : dl.seg(), rows, classes, ignoreIndex, labelSmoothing);
            Tensor sum = Raw.reduce(ReduceOp.SUM, losses, 1, false);
            Tensor loss = sum.viewOf(0, new long[0], new long[0]);
            sum.close();
            Raw.be().affine(loss.seg(), loss.seg(), 1, 1f / count, 0f);
            return record ? Node.record(loss, new CrossEntropyOp(logits, dl, count)) : loss;
        }
    }

    @Override
    Tensor[] backward(Tensor g) {
        if (g.storage().isHostMemory()) {
            float scale = g.item() / count;
            if (lastBackward && dlogits.isExclusive()) {
                // the graph goes away after this: scale the saved (rows × classes) gradient in place instead of
                // holding it and a scaled copy at once (a language model's logits are its largest activation)
                Raw.be().affine(dlogits.seg(), dlogits.seg(), dlogits.numel(), scale, 0f);
                return new Tensor[] {dlogits.internalAlias()};
            }
            return new Tensor[] {Raw.affine(dlogits, scale, 0f)};
        }
        // device memory: scale by dy / count with kernels, never reading dy on the host
        try (Tensor n = Raw.full(new long[0], count); Tensor scale = Raw.binary(BinaryOp.DIV, g, n)) {
            return new Tensor[] {Raw.binary(BinaryOp.MUL, dlogits, scale)};
        }
    }
}
