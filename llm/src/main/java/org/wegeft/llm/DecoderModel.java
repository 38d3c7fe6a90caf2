package org.wegeft.llm;

import org.wegeft.nn.Checkpointing;
import org.wegeft.nn.Embedding;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.ModuleList;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.CheckpointKeep;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * The decoder body ({@code model.} in Hugging Face names): {@code embed_tokens}, {@code layers.{i}},
 * {@code norm}. With gradient checkpointing on (in training, while recording), each block runs through
 * {@link Functional#checkpoint}: its activations are recomputed in backward instead of being kept.
 */
public final class DecoderModel extends Module {
    private final Slot<Embedding> embedTokens;
    private final ModuleList<DecoderLayer> layers;
    private final float embeddingScale;
    private final Slot<Layer> norm;
    private boolean gradientCheckpointing;
    private CheckpointKeep checkpointKeep = CheckpointKeep.NOTHING;

    DecoderModel(String prefix, DecoderConfig c, WeightSource w) {
        this.embedTokens = registerModule("embed_tokens", w.embedding(prefix + "embed_tokens", c.vocabSize(),
                c.hiddenSize()));
        DecoderFamily family = c.family();
        this.embeddingScale = family.embeddingScale(c, embedTokens.get().weight().dtype());
        this.layers = new ModuleList<>(DecoderLayer.class);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(family.layer(prefix + "layers." + i + ".", i, c, w));
        }
        registerModule("layers", layers);
        this.norm = registerModule("norm", Layer.class, family.norm(prefix + "norm", c.hiddenSize(), c, w));
    }

    // ids: (B, T) I32 → hidden (B, T, C) after the final norm
    Tensor forward(Tensor ids, BlockContext ctx) {
        Tensor x = embedTokens.get().forward(ids);                            // (B, T, C)
        if (embeddingScale != 1f) {
            try (Tensor e = x) {
                x = e.mul(embeddingScale);
            }
        }
        boolean checkpoint = gradientCheckpointing && isTraining() && Grad.isEnabled() && ctx.cache() == null;
        for (DecoderLayer layer : layers) {
            Tensor in = x;
            try (in) {
                if (checkpoint) {
                    x = Checkpointing.block(layer, (h, cs) -> layer.forward(h, ctx.over(cs)), in, ctx.tensors(),
                            checkpointKeep);
                } else {
                    x = layer.forward(in, ctx);
                }
            }
        }
        try (Tensor last = x) {
            return norm.get().forward(last);
        }
    }

    public Embedding embedTokens() {
        return embedTokens.get();
    }

    public ModuleList<DecoderLayer> layers() {
        return layers;
    }

    boolean gradientCheckpointing() {
        return gradientCheckpointing;
    }

    void gradientCheckpointing(boolean on, CheckpointKeep keep) {
        gradientCheckpointing = on;
        checkpointKeep = keep;
    }
}
