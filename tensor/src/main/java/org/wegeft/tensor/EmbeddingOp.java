package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantizedWeight;

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
        try (Operand io = Operand.contiguous(ids)) {
            QuantizedWeight q = table.quantizedWeight();
            if (q != null) {
                gatherQuantizedRows(io.seg(), q, out, n, vocab, dim);
                return out;    // a quantized table is frozen: nothing to record
            }
            if (table.dtype() != DType.F32 && table.isContiguous() && Raw.be().hostAccessible()) {
                gatherHalfRows(io.seg(), table, out, n, vocab, dim);
            } else {
                try (Operand to = Operand.f32(table)) {
                    Raw.be().embedding(io.seg(), to.seg(), out.seg(), n, vocab, dim);
                }
            }
            return Node.shouldRecord(table) ? Node.record(out, new EmbeddingOp(table, io.t(), n, vocab, dim)) : out;
        }
    }

    /**
     * The rows of a half-precision table (a frozen checkpoint's embedding, kept in its dtype) widened one by one:
     * only the n rows looked up are converted, never the whole table.
     */
    private static void gatherHalfRows(MemorySegment ids, Tensor table, Tensor out, int n, int vocab, int dim) {
        long rowBytes = (long) dim * table.dtype().byteSize();
        for (int i = 0; i < n; i++) {
            int id = ids.getAtIndex(ValueLayout.JAVA_INT, i);
            if (id < 0 || id >= vocab) {
                throw new IndexOutOfBoundsException("embedding: id " + id + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
            Raw.be().convert(table.dtype(), table.seg().asSlice(id * rowBytes, rowBytes), DType.F32,
                    out.seg().asSlice((long) i * dim * Float.BYTES, (long) dim * Float.BYTES), dim);
        }
    }

    /** The rows of a quantized table dequantized one by one (only the n rows looked up), on the host. */
    private static void gatherQuantizedRows(MemorySegment ids, QuantizedWeight q, Tensor out, int n, int vocab,
                                            int dim) {
        float[] row = new float[dim];
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment host = arena.allocate((long) dim * Float.BYTES, Float.BYTES);
            for (int i = 0; i < n; i++) {
                int id = ids.getAtIndex(ValueLayout.JAVA_INT, i);
                if (id < 0 || id >= vocab) {
                    throw new IndexOutOfBoundsException("embedding: id " + id + " at position " + i
                            + " is outside the vocabulary [0, " + vocab + ")");
                }
                q.dequantize((long) id * dim, dim, row, 0);
                MemorySegment.copy(row, 0, host, ValueLayout.JAVA_FLOAT, 0, dim);
                Raw.be().copyToDevice(host, out.seg().asSlice((long) i * dim * Float.BYTES), (long) dim * Float.BYTES);
            }
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
