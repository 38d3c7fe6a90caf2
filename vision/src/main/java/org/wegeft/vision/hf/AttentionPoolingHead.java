package org.wegeft.vision.hf;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Layer;
import org.wegeft.nn.LayerNorm;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.MultiHeadAttention;
import org.wegeft.nn.Param;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.VitInit;
import org.wegeft.vision.VitMlp;

/**
 * SigLIP's multihead attention pooling ({@code head}): a learned {@code probe} attends over the tokens through
 * torch's {@code nn.MultiheadAttention} ({@code attention.in_proj_weight} (3C, C) holding q; k; v,
 * {@code attention.in_proj_bias}, {@code attention.out_proj}), then a residual MLP after {@code layernorm}.
 *
 * <pre>
 *   h = out_proj(attend(probe·Wqᵀ + bq, x·Wkᵀ + bk, x·Wvᵀ + bv))      (B, 1, C)
 *   pooled = (h + mlp(layernorm(h)))[:, 0]                             (B, C)
 * </pre>
 */
final class AttentionPoolingHead extends Module {
    private final int dim;
    private final Param probe;
    private final Slot<InProjection> attention;
    private final Slot<LayerNorm> layernorm;
    private final Slot<Layer> mlp;

    AttentionPoolingHead(HfVisionConfig c, RandomGenerator rng) {
        this.dim = c.hiddenSize();
        this.probe = registerParameter("probe", VitInit.truncNormal(rng, 1.0, 1, 1, dim));
        this.attention = registerModule("attention", new InProjection(dim, c.numAttentionHeads(), rng));
        this.layernorm = registerModule("layernorm", new LayerNorm(dim, (float) c.layerNormEps(), true));
        this.mlp = registerModule("mlp", Layer.class,
                new VitMlp(dim, c.intermediateSize(), Activations.of(c.hiddenAct()), rng));
    }

    // x: (B, T, C) → (B, C)
    Tensor forward(Tensor x) {
        return TensorScope.call(() -> {
            Tensor h = attention.get().forward(probe.get().expand(x.size(0), 1, dim), x);  // (B, 1, C)
            h = h.add(mlp.get().call(layernorm.get().call(h)));
            return h.select(1, 0);
        });
    }

    /** torch's {@code nn.MultiheadAttention} parameters (batch-first, no masks, no dropout). */
    static final class InProjection extends Module {
        private final int dim;
        private final int heads;
        private final Param inProjWeight;
        private final Param inProjBias;
        private final Slot<Layer> outProj;

        InProjection(int dim, int heads, RandomGenerator rng) {
            this.dim = dim;
            this.heads = heads;
            this.inProjWeight = registerParameter("in_proj_weight", VitInit.truncNormal(rng, VitInit.STD, 3L * dim,
                    dim));
            this.inProjBias = registerParameter("in_proj_bias", Tensor.zeros(3L * dim));
            this.outProj = registerModule("out_proj", Layer.class, new Linear(dim, dim, true, rng));
        }

        // query (B, Tq, C), keyValue (B, T, C) → (B, Tq, C)
        Tensor forward(Tensor query, Tensor keyValue) {
            return TensorScope.call(() -> {
                Tensor w = inProjWeight.get();
                Tensor b = inProjBias.get();
                Tensor q = Functional.linear(query, w.narrow(0, 0, dim), b.narrow(0, 0, dim));
                Tensor k = Functional.linear(keyValue, w.narrow(0, dim, dim), b.narrow(0, dim, dim));
                Tensor v = Functional.linear(keyValue, w.narrow(0, 2L * dim, dim), b.narrow(0, 2L * dim, dim));
                return outProj.get().forward(MultiHeadAttention.attend(q, k, v, heads, heads, false));
            });
        }
    }
}
