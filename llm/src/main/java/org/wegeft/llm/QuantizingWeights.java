package org.wegeft.llm;

import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Embedding;
import org.wegeft.nn.Linear;
import org.wegeft.tensor.Tensor;

/**
 * A {@link WeightSource} whose Linear weights (and, if asked, the embedding table and output head) are quantized as
 * they are built, one tensor at a time: each is read where the source keeps it (a checkpoint's memory mapping, a
 * fresh bf16 init) and quantized, and the plain tensor is closed at once, so the model never holds a full-precision
 * copy of its frozen weights.
 */
final class QuantizingWeights implements WeightSource {
    private final WeightSource source;
    private final Quantization quantization;

    QuantizingWeights(WeightSource source, Quantization quantization) {
        this.source = source;
        this.quantization = quantization;
    }

    @Override
    public Tensor get(String key, long[] shape, Init init) {
        return source.get(key, shape, init);
    }

    @Override
    public Linear linear(String path, int out, int in, boolean bias) {
        if (path.equals("lm_head") && !quantization.embeddings()) {
            return source.linear(path, out, in, bias);
        }
        Tensor w = quantized(source.get(path + ".weight", new long[] {out, in}, Init.NORMAL));
        @Nullable Tensor b = bias ? source.get(path + ".bias", new long[] {out}, Init.ZEROS) : null;
        return new Linear(w, b);
    }

    @Override
    public Embedding embedding(String path, int vocab, int dim) {
        if (!quantization.embeddings()) {
            return source.embedding(path, vocab, dim);
        }
        return new Embedding(quantized(source.get(path + ".weight", new long[] {vocab, dim}, Init.NORMAL)));
    }

    /** w quantized, w closed; a placeholder for a missing or mis-shaped key (not contiguous) is passed on. */
    private Tensor quantized(Tensor w) {
        if (!w.isContiguous()) {
            return w;
        }
        try (w) {
            return w.quantize(quantization.format(), quantization.doubleQuant());
        }
    }
}
