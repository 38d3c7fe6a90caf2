package org.wegeft.nn;

import java.util.random.RandomGenerator;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** A lookup table, torch {@code nn.Embedding}: weight (num_embeddings, embedding_dim) initialised N(0, 1). */
public final class Embedding extends Module implements Layer {
    private final Param weight;

    public Embedding(int numEmbeddings, int embeddingDim, RandomGenerator rng) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding needs positive sizes, got numEmbeddings=" + numEmbeddings
                    + " embeddingDim=" + embeddingDim);
        }
        this.weight = registerParameter("weight", Tensor.randn(rng, numEmbeddings, embeddingDim));
    }

    /** A table over a given weight (num_embeddings, embedding_dim), owned by the new module. */
    public Embedding(Tensor weight) {
        if (weight.dim() != 2 || weight.size(0) <= 0 || weight.size(1) <= 0) {
            throw new IllegalArgumentException("Embedding needs a weight (num_embeddings, embedding_dim), got "
                    + weight);
        }
        this.weight = registerParameter("weight", weight);
    }

    // ids: (...) I32 → (..., dim)
    @Override
    public Tensor forward(Tensor ids) {
        return Functional.embedding(ids, weight.get());
    }

    public Tensor weight() {
        return weight.get();
    }

    public Param weightParam() {
        return weight;
    }
}
