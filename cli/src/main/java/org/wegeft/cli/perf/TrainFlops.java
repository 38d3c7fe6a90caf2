package org.wegeft.cli.perf;

import org.wegeft.peft.AdapterFlops;
import org.wegeft.peft.FineTuningMethod;

/**
 * Analytic matrix-multiply FLOPs of one training step: the forward pass plus the backward work the method really
 * needs. Only products are counted (2·m·n·k each); normalisations, activations, softmax, the loss and the optimizer
 * are not. A product's input gradient is counted only when its input depends on a trainable parameter, its weight
 * gradient only when the weight is trainable, so a frozen model's early layers cost forward work only.
 *
 * <p>Attention counts the score product Q·Kᵀ and the weighted sum P·V (and, backward, dQ, dK, dP and dV when the
 * queries, keys and values depend on trainable parameters). For a causal model only the unmasked half is counted:
 * T·(T+1)/2 query-key pairs per head instead of T².
 *
 * <p>An adapted layer adds what its method says ({@link FineTuningMethod#adapterFlops}), including whether the frozen
 * layer's own input gradient becomes necessary (WeGeFT's edited input sits before the frozen product; LoRA's update is
 * added after it). Full fine-tuning trains every weight; a probe or BitFit trains the head's.
 */
final class TrainFlops {
    private final FineTuningMethod method;
    private final int rank;
    private double forward;
    private double backward;

    private TrainFlops(FineTuningMethod method, int rank) {
        this.method = method;
        this.rank = rank;
    }

    /** Forward FLOPs of the step. */
    double forward() {
        return forward;
    }

    /** Backward FLOPs of the step. */
    double backward() {
        return backward;
    }

    /** Forward plus backward. */
    double total() {
        return forward + backward;
    }

    /**
     * A linear layer {@code (tokens × dIn) → (tokens × dOut)}; returns whether its output depends on a trainable
     * parameter.
     * @param inGrad  the input depends on a trainable parameter
     * @param adapted the method puts an adapter on this layer
     * @param weightTrainable the layer's own weight trains (full fine-tuning, a trainable head)
     */
    private boolean linear(double tokens, double dIn, double dOut, boolean inGrad, boolean adapted,
            boolean weightTrainable) {
        double base = 2 * tokens * dIn * dOut;
        forward += base;
        AdapterFlops adapter = adapted ? method.adapterFlops(tokens, dIn, dOut, rank, inGrad) : AdapterFlops.NONE;
        if (inGrad || adapter.baseInputGradient()) {
            backward += base;              // dX of the frozen (or full) product
        }
        if (weightTrainable) {
            backward += base;              // dW
        }
        forward += adapter.forward();
        backward += adapter.backward();
        return inGrad || adapted || weightTrainable;
    }

    /** Q·Kᵀ and P·V over {@code pairs} query-key pairs per head, summed over heads ({@code width} = heads·headDim). */
    private void attention(double batch, double pairs, double width, boolean inGrad) {
        double f = 2 * 2 * batch * pairs * width;
        forward += f;
        if (inGrad) {
            backward += 2 * f;
        }
    }

    /**
     * A ViT (class token, pre-norm blocks, MLP ratio 4) on {@code batch} images of {@code img}² pixels, patch
     * {@code patch}, {@code classes} outputs; adapters on qkv, proj, fc1, fc2; the head trains in every method.
     */
    static TrainFlops vit(FineTuningMethod method, int rank, int batch, int img, int patch, int width, int depth,
            int classes) {
        TrainFlops f = new TrainFlops(method, rank);
        boolean full = method.trainsAllWeights();
        boolean adapters = method.writesAdapter();
        double patches = (double) (img / patch) * (img / patch);
        double tokens = batch * (patches + 1);
        boolean g = f.linear(batch * patches, 3.0 * patch * patch, width, false, false, full); // patch embedding
        g |= full; // class token and position embedding
        for (int b = 0; b < depth; b++) {
            boolean qkv = f.linear(tokens, width, 3.0 * width, g, adapters, full);
            f.attention(batch, (patches + 1) * (patches + 1), width, qkv);
            boolean proj = f.linear(tokens, width, width, qkv, adapters, full);
            g |= proj;
            boolean fc1 = f.linear(tokens, width, 4.0 * width, g, adapters, full);
            boolean fc2 = f.linear(tokens, 4.0 * width, width, fc1, adapters, full);
            g |= fc2;
        }
        f.linear(batch, width, classes, g, false, true); // head on the class token
        return f;
    }

    /**
     * A LLaMA decoder on {@code batch} sequences of {@code seq} tokens with causal attention: {@code heads} query
     * heads and {@code kvHeads} key/value heads of {@code headDim} (grouped-query attention: q and o are
     * width × heads·headDim, k and v width × kvHeads·headDim; the score and weighted-sum products still run once per
     * query head, over heads·headDim); adapters on q, k, v, o, gate, up, down; a probe or BitFit trains lm_head.
     * Tied embeddings change no count: lm_head is the same product whether its weight is shared with embed_tokens or
     * not (its dW counted when it trains), and the lookup's gradient is a scatter-add, not a product.
     */
    static TrainFlops llama(FineTuningMethod method, int rank, int batch, int seq, int vocab, int width, int layers,
            int heads,
            int kvHeads, int headDim, int mlp) {
        TrainFlops f = new TrainFlops(method, rank);
        boolean full = method.trainsAllWeights();
        boolean adapters = method.writesAdapter();
        double tokens = (double) batch * seq;
        double qWidth = (double) heads * headDim;
        double kvWidth = (double) kvHeads * headDim;
        boolean g = full; // embedding table
        for (int l = 0; l < layers; l++) {
            boolean q = f.linear(tokens, width, qWidth, g, adapters, full);
            boolean k = f.linear(tokens, width, kvWidth, g, adapters, full);
            boolean v = f.linear(tokens, width, kvWidth, g, adapters, full);
            f.attention(batch, seq * (seq + 1.0) / 2, qWidth, q || k || v);
            boolean o = f.linear(tokens, qWidth, width, q || k || v, adapters, full);
            g |= o;
            boolean gate = f.linear(tokens, width, mlp, g, adapters, full);
            boolean up = f.linear(tokens, width, mlp, g, adapters, full);
            boolean down = f.linear(tokens, mlp, width, gate || up, adapters, full);
            g |= down;
        }
        f.linear(tokens, width, vocab, g, false, full || !adapters); // lm_head: trains in a probe and BitFit too
        return f;
    }
}
