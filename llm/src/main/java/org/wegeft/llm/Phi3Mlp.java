package org.wegeft.llm;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * Phi-3's gated feed-forward: {@code down_proj(act(gate) · up)} with gate and up from one fused projection
 * {@code gate_up_proj} (rows: the I gate rows, then the I up rows), act the config's {@code hidden_act}; no biases.
 */
public final class Phi3Mlp extends Module implements Layer {
    private final Slot<Layer> gateUpProj;
    private final Slot<Layer> downProj;
    private final Activation act;
    private final int intermediate;

    Phi3Mlp(String prefix, DecoderConfig c, WeightSource w) {
        int h = c.hiddenSize();
        this.intermediate = c.intermediateSize();
        this.act = Activation.of(c.hiddenAct());
        this.gateUpProj = registerModule("gate_up_proj", Layer.class, w.linear(prefix + "gate_up_proj",
                2 * intermediate, h, false));
        this.downProj = registerModule("down_proj", Layer.class, w.linear(prefix + "down_proj", h, intermediate,
                false));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> {
            Tensor gateUp = gateUpProj.get().forward(x);                                      // (B, T, 2I)
            Tensor gate = gateUp.narrow(-1, 0, intermediate);                                 // (B, T, I)
            Tensor up = gateUp.narrow(-1, intermediate, intermediate);                        // (B, T, I)
            return downProj.get().forward(act.gated(gate, up));
        });
    }

    public Layer gateUpProj() {
        return gateUpProj.get();
    }

    public Layer downProj() {
        return downProj.get();
    }
}
