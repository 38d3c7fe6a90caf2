package org.wegeft.vision.hf;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * DINOv2's SwiGLU feed-forward: "weights_in" (C → 2H), silu(first half) · second half, "weights_out" (H → C), with
 * H = round-up-to-8(int(int(C · mlp_ratio) · 2/3)).
 */
final class SwiGluFfn extends Module implements Layer {
    private final int hidden;
    private final Slot<Layer> weightsIn;
    private final Slot<Layer> weightsOut;

    /** @param mlpHidden int(C · mlp_ratio), from which the SwiGLU width is derived */
    SwiGluFfn(int dim, int mlpHidden, RandomGenerator rng) {
        this.hidden = ((int) (mlpHidden * 2.0 / 3) + 7) / 8 * 8;
        this.weightsIn = registerModule("weights_in", Layer.class, new Linear(dim, 2 * hidden, true, rng));
        this.weightsOut = registerModule("weights_out", Layer.class, new Linear(hidden, dim, true, rng));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> {
            Tensor h = weightsIn.get().forward(x);                                        // (B, T, 2H)
            Tensor gate = h.narrow(2, 0, hidden).contiguous();                           // (B, T, H)
            Tensor up = h.narrow(2, hidden, hidden).contiguous();                        // (B, T, H)
            return weightsOut.get().forward(Functional.siluMul(gate, up));               // (B, T, C)
        });
    }
}
