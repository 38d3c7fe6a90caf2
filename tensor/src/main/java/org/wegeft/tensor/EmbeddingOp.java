package org.wegeft.tensor;

import java.util.Arrays;
import org.wegeft.kernels.DType;

/** out[..., :] = table[ids[...], :]; backward scatter-adds the rows of dy into a zero dtable. */
final class EmbeddingOp extends Node {
    private final Tensor ids;
    private final int n;
    private final int vocab;
    private final int dim;

    private EmbeddingOp(Tensor table, Tensor ids, int n, int vocab, int dim) {
        super(table);
        this.ids = save(ids);
        this.n = n;
        this.vocab = vocab;
        this.dim = dim;
    }

    static Tensor apply(Tensor ids, Tensor table) {
        // ids: (...) int32   table: (vocab, dim)
        if (ids.dtype() != DType.I32) {
            throw new IllegalArgumentException("embedding ids must be I32, got " + ids);
        }
        if (table.dim() != 2) {
            throw new ShapeMismatchException("embedding table must be (vocab, dim), got " + table);
        }
        int vocab = Shapes.checkedInt(table.size(0), "embedding");
        int dim = Shapes.checkedInt(table.size(1), "embedding");
        int n = Shapes.checkedInt(ids.numel(), "embedding");
        long[] outShape = Arrays.copyOf(ids.shapeRef(), ids.dim() + 1);
        outShape[ids.dim()] = dim;
        Tensor out = Raw.empty(DType.F32, outShape);
        try (Operand io = Operand.contiguous(ids); Operand to = Operand.f32(table)) {
            Raw.be().embedding(io.seg(), to.seg(), out.seg(), n, vocab, dim);
            return Node.shouldRecord(table) ? Node.record(out, new EmbeddingOp(table, io.t(), n, vocab, dim)) : out;
        }
    }

    @Override
    Tensor[] backward(Tensor g) {
        Tensor dtable = Raw.full(new long[] {vocab, dim}, 0f);
        try (Operand go = Operand.f32(g)) {
            Raw.be().embeddingBackward(ids.seg(), go.seg(), dtable.seg(), n, vocab, dim);
        }
        return new Tensor[] {dtable};
    }
}
