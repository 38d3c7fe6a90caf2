package org.wegeft.llm;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.nn.Embedding;
import org.wegeft.nn.Linear;
import org.wegeft.nn.RMSNorm;
import org.wegeft.tensor.Tensor;

/**
 * Where the modules of a {@link CausalLM} get their weights while it is built: a seeded fresh
 * initialisation ({@link RandomWeights}) or a checkpoint ({@link CheckpointWeights}). Building from the source
 * means a checkpoint's tensors are adopted as they are (a BF16 weight stays memory-mapped) instead of being
 * copied over a random init.
 */
interface WeightSource {
    /** How a fresh model initialises a tensor (Hugging Face's {@code _init_weights}). */
    enum Init { NORMAL, ZEROS, ONES }

    /** The tensor for {@code key} of {@code shape}; F32 tensors returned are trainable leaves. */
    Tensor get(String key, long[] shape, Init init);

    default Linear linear(String path, int out, int in, boolean bias) {
        Tensor w = get(path + ".weight", new long[] {out, in}, Init.NORMAL);
        @Nullable Tensor b = bias ? get(path + ".bias", new long[] {out}, Init.ZEROS) : null;
        return new Linear(w, b);
    }

    default Embedding embedding(String path, int vocab, int dim) {
        return new Embedding(get(path + ".weight", new long[] {vocab, dim}, Init.NORMAL));
    }

    default RMSNorm norm(String path, int dim, double eps) {
        RMSNorm n = new RMSNorm(dim, (float) eps);
        Tensor w = get(path + ".weight", new long[] {dim}, Init.ONES);
        w.requiresGrad(w.dtype() == DType.F32);
        n.param("weight").set(w);
        return n;
    }
}
