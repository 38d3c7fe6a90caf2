package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.ReduceOp;

/**
 * Mean cross-entropy of the logits h·Wᵀ (+ b) against I32 targets, the causal-LM head and its loss in one node that
 * never holds the (N × V) logits nor their gradient: a language model's largest tensors (Llama-3.2-1B at 4,096
 * tokens: 2.1 GB of float32 logits, and as much again for their gradient). Equal to
 * {@code crossEntropy(linear(h, W, b), targets, ignoreIndex, ε)} (mean over the rows not ignored, torch's label
 * smoothing, NaN when every row is ignored) up to float rounding.
 *
 * <p>Rows go through in chunks of R, two R × V buffers reused for every chunk; the gradients are complete when
 * forward ends, so backward only scales them:
 * <pre>
 *   h (N, C) ── rows r0 .. r0+R ── h_c (R, C)
 *                                   │ GEMM h_c·Wᵀ + b             (W as stored; BF16/F16 read in its own dtype)
 *                                   ▼
 *                             logits_c (R, V) ── crossEntropy kernel ──▶ losses[r0 .. r0+R]
 *                                                     │ softmax − target   (only when recording)
 *                                                     ▼
 *                                               dlogits_c (R, V)
 *                        ┌────────────────────────────┼─────────────────────────────┐
 *            GEMM dlogits_c·W            GEMM dlogits_cᵀ·h_c (+=)             Σ rows (+=)
 *            (h needs grad)              (W trainable)                        (b trainable)
 *                        ▼                            ▼                              ▼
 *                dh[r0 .. r0+R] (N, C)            dW (V, C)                       db (V)
 *
 *   loss = Σ losses / count        backward: dh, dW, db · (dy / count): one pass each, no GEMM
 * </pre>
 * Kept for backward: dh (N × C), and dW, db when W, b are trainable. The kernel may not write its gradient over
 * its logits (it reads the target logit after writing), hence two chunk buffers; with recording off there is no
 * gradient buffer and no gradient product.
 */
final class LinearCrossEntropyOp extends Node {
    /**
     * Bytes of the chunk buffers together (logits and, when recording, their gradient): 256 MiB by default, so 261
     * rows per chunk at a 128,256-word vocabulary. Each chunk reads all of W once per product, so a chunk needs a few
     * hundred rows for the GEMMs to run at full speed rather than at the speed of reading W.
     */
    static final long CHUNK_BYTES = Long.getLong("wegeft.linearCrossEntropy.chunkBytes", 256L << 20);

    private final @Nullable Tensor dh;
    private final @Nullable Tensor dw;
    private final @Nullable Tensor db;
    private final int count;

    private LinearCrossEntropyOp(Tensor hidden, Tensor weight, @Nullable Tensor bias, @Nullable Tensor dh,
                                 @Nullable Tensor dw, @Nullable Tensor db, int count) {
        super(bias == null ? new Tensor[] {hidden, weight} : new Tensor[] {hidden, weight, bias});
        this.dh = dh == null ? null : save(dh);
        this.dw = dw == null ? null : save(dw);
        this.db = db == null ? null : save(db);
        this.count = count;
    }

    /** Rows per chunk so that the chunk buffers stay within {@link #CHUNK_BYTES}; at least 1. */
    static int chunkRows(long vocab, boolean withGradient) {
        long perRow = Math.max(1, vocab) * Float.BYTES * (withGradient ? 2 : 1);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, CHUNK_BYTES / perRow));
    }

    static Tensor apply(Tensor hidden, Tensor weight, @Nullable Tensor bias, Tensor targets, int ignoreIndex,
                        float labelSmoothing) {
        return apply(hidden, weight, bias, targets, ignoreIndex, labelSmoothing, 0);
    }

    /** With {@code rowsPerChunk} rows per chunk, or the {@link #chunkRows} default when it is 0. */
    static Tensor apply(Tensor hidden, Tensor weight, @Nullable Tensor bias, Tensor targets, int ignoreIndex,
                        float labelSmoothing, int rowsPerChunk) {
        // hidden: (..., C)  weight: (V, C)  bias: (V)  targets: (...) or (N)
        check(hidden, weight, bias, targets, labelSmoothing);
        int c = Shapes.checkedInt(weight.size(1), "linearCrossEntropy hidden size");
        int vocab = Shapes.checkedInt(weight.size(0), "linearCrossEntropy vocabulary");
        int rows = Shapes.checkedInt(Shapes.prod(hidden.shapeRef(), 0, hidden.dim() - 1), "linearCrossEntropy rows");
        boolean record = bias == null ? Node.shouldRecord(hidden, weight) : Node.shouldRecord(hidden, weight, bias);
        boolean gradH = record && hidden.requiresGrad();
        boolean gradW = record && weight.requiresGrad();
        boolean gradB = record && bias != null && bias.requiresGrad();
        int chunk = Math.min(Math.max(1, rows), rowsPerChunk > 0 ? rowsPerChunk : chunkRows(vocab, record));
        try (Operand ho = Operand.f32(hidden);
             Operand to = Operand.contiguous(targets);
             Tensor bc = bias == null ? null : Raw.contiguousAs(bias, DType.F32);
             Tensor wt = Raw.transposedWeight(weight);
             Tensor losses = Raw.empty(DType.F32, new long[] {1, rows});
             Tensor logits = Raw.empty(DType.F32, new long[] {chunk, vocab});
             Tensor dlogits = record ? Raw.empty(DType.F32, new long[] {chunk, vocab}) : null;
             Tensor dh = gradH ? Raw.empty(DType.F32, new long[] {rows, c}) : null;
             Tensor dw = gradW ? Raw.full(new long[] {vocab, c}, 0f) : null;
             Tensor db = gradB ? Raw.full(new long[] {vocab}, 0f) : null) {
            int count = 0;
            for (int r0 = 0; r0 < rows; r0 += chunk) {
                int r = Math.min(chunk, rows - r0);
                try (Tensor hc = rowsOf(ho.t(), r0, r, c);                             // h_c: (r, C)
                     Tensor xc = rowsOf(logits, 0, r, vocab);                         // logits_c: (r, V)
                     Tensor gc = dlogits == null ? null : rowsOf(dlogits, 0, r, vocab)) {
                    Raw.gemmInto(hc, wt, xc, 0f, bc == null ? null : bc.seg());
                    count += kernel(xc, to.t(), losses, gc, r0, r, vocab, ignoreIndex, labelSmoothing);
                    if (dh != null) {
                        try (Tensor dhc = rowsOf(dh, r0, r, c)) {                     // dh_c: (r, C)
                            Raw.gemmInto(gc, weight, dhc, 0f);
                        }
                    }
                    if (dw != null) {
                        try (Tensor gct = gc.t()) {                                   // dlogits_cᵀ: (V, r)
                            Raw.gemmInto(gct, hc, dw, 1f);
                        }
                    }
                    if (db != null) {
                        try (Tensor s = Raw.reduce(ReduceOp.SUM, gc, 0, false)) {     // (V)
                            Raw.binaryInto(BinaryOp.ADD, db, s);
                        }
                    }
                }
            }
            Tensor sum = Raw.reduce(ReduceOp.SUM, losses, 1, false);
            Tensor loss = sum.viewOf(0, new long[0], new long[0]);
            sum.close();
            Raw.be().affine(loss.seg(), loss.seg(), 1, 1f / count, 0f);
            return record ? Node.record(loss, new LinearCrossEntropyOp(hidden, weight, bias, dh, dw, db, count)) : loss;
        }
    }

    private static void check(Tensor hidden, Tensor weight, @Nullable Tensor bias, Tensor targets,
                              float labelSmoothing) {
        if (weight.dim() != 2 || hidden.dim() < 1 || hidden.size(-1) != weight.size(1)) {
            throw new ShapeMismatchException("linearCrossEntropy: hidden " + hidden + " does not match weight "
                    + weight + " (expected hidden (..., " + (weight.dim() == 2 ? weight.size(1) : "?")
                    + ") and weight (V, C))");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
            throw new ShapeMismatchException("linearCrossEntropy: bias " + bias + " does not match weight " + weight);
        }
        long[] lead = java.util.Arrays.copyOf(hidden.shapeRef(), hidden.dim() - 1);
        boolean flat = targets.dim() == 1 && targets.size(0) == Shapes.numel(lead);
        if (!flat && !java.util.Arrays.equals(lead, targets.shapeRef())) {
            throw new ShapeMismatchException("linearCrossEntropy: targets " + targets + " do not match hidden "
                    + hidden + " (expected targets " + Shapes.str(lead) + " or (" + Shapes.numel(lead) + "))");
        }
        if (targets.dtype() != DType.I32) {
            throw new IllegalArgumentException("linearCrossEntropy targets must be I32, got " + targets);
        }
        if (!hidden.dtype().isFloating()) {
            throw new IllegalArgumentException("linearCrossEntropy hidden must be floating, got " + hidden);
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("linearCrossEntropy labelSmoothing must be in [0, 1], got "
                    + labelSmoothing);
        }
    }


    /** Rows [r0, r0 + r) of a contiguous (rows, cols) tensor t, as a view. */
    private static Tensor rowsOf(Tensor t, long r0, long r, long cols) {
        return t.viewOf(t.storageOffset() + r0 * cols, new long[] {r, cols}, new long[] {cols, 1});
    }

    /** The backend's cross-entropy over one chunk: row losses into losses[r0 ..], and the gradient when gc is set. */
    private static int kernel(Tensor xc, Tensor targets, Tensor losses, @Nullable Tensor gc, int r0, int r, int vocab,
                              int ignoreIndex, float labelSmoothing) {
        try (Tensor tc = targets.viewOf(targets.storageOffset() + r0, new long[] {r}, new long[] {1});
             Tensor lc = losses.viewOf(r0, new long[] {r}, new long[] {1})) {
            return Raw.be().crossEntropy(xc.seg(), tc.seg(), lc.seg(), gc == null ? MemorySegment.NULL : gc.seg(),
                    r, vocab, ignoreIndex, labelSmoothing);
        } catch (IndexOutOfBoundsException e) {
            // the kernel counts rows from the chunk's first
            throw new IndexOutOfBoundsException("linearCrossEntropy, rows " + r0 + " to " + (r0 + r - 1) + ": "
                    + e.getMessage());
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor[] grads = new Tensor[inputs().length];
        Tensor[] saved = {dh, dw, db};
        if (g.storage().isHostMemory()) {
            float scale = g.item() / count;
            for (int i = 0; i < grads.length; i++) {
                grads[i] = saved[i] == null ? null : shaped(scaled(saved[i], scale), inputs()[i].shapeRef());
            }
            return grads;
        }
        // device memory: scale by dy / count with kernels, never reading dy on the host
        try (Tensor n = Raw.full(new long[0], count); Tensor scale = Raw.binary(BinaryOp.DIV, g, n)) {
            for (int i = 0; i < grads.length; i++) {
                grads[i] = saved[i] == null ? null
                        : shaped(Raw.binary(BinaryOp.MUL, saved[i], scale), inputs()[i].shapeRef());
            }
        }
        return grads;
    }

    /** t·scale: in place when the graph goes away after this backward and t is held by this node alone. */
    private Tensor scaled(Tensor t, float scale) {
        if (lastBackward && t.isExclusive()) {
            Raw.be().affine(t.seg(), t.seg(), t.numel(), scale, 0f);
            return t.internalAlias();
        }
        return Raw.affine(t, scale, 0f);
    }

    /** The contiguous t viewed as {@code shape} (the input's), t closed. */
    private static Tensor shaped(Tensor t, long[] shape) {
        try (t) {
            return t.viewOf(t.storageOffset(), shape.clone(), Shapes.contiguousStrides(shape));
        }
    }
}
