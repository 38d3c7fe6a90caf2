package org.wegeft.llm;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * The gated feed-forward of a LLaMA block: {@code down_proj(act(gate_proj(x)) · up_proj(x))}, act the config's
 * {@code hidden_act} (SwiGLU for LLaMA, GeGLU for Gemma). The three projections are {@code Slot<Layer>} so adapters
 * can stand in for them.
 */
public final class LlamaMlp extends Module implements Layer {
    private final Slot<Layer> gateProj;
    private final Slot<Layer> upProj;
    private final Slot<Layer> downProj;
    private final Activation act;

    LlamaMlp(String prefix, DecoderConfig c, WeightSource w) {
        int h = c.hiddenSize();
        int i = c.intermediateSize();
        this.act = Activation.of(c.hiddenAct());
        this.gateProj = registerModule("gate_proj", Layer.class, w.linear(prefix + "gate_proj", i, h, c.mlpBias()));
        this.upProj = registerModule("up_proj", Layer.class, w.linear(prefix + "up_proj", i, h, c.mlpBias()));
        this.downProj = registerModule("down_proj", Layer.class, w.linear(prefix + "down_proj", h, i, c.mlpBias()));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x) {
        // via (B, T, I)
        return TensorScope.call(() -> downProj.get().forward(
                act.gated(gateProj.get().forward(x), upProj.get().forward(x))));
    }

    public Layer gateProj() {
        return gateProj.get();
    }

    public Layer upProj() {
        return upProj.get();
    }

    public Layer downProj() {
        return downProj.get();
    }
}
