package org.wegeft.vision;

import java.util.random.RandomGenerator;
import org.wegeft.nn.GELU;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * timm's {@code Mlp}: "fc1" (C → hidden), GELU (erf), "fc2" (hidden → C); with another activation also the MLP of
 * DINOv2, CLIP and SigLIP, which use the same names.
 */
public final class VitMlp extends Module implements Layer {
    private final Slot<Layer> fc1;
    private final Slot<Layer> act;
    private final Slot<Layer> fc2;

    public VitMlp(int dim, int hidden, RandomGenerator rng) {
        this(dim, hidden, new GELU(), rng);
    }

    /** @param act the activation module, e.g. transformers' {@code quick_gelu} for CLIP */
    public VitMlp(int dim, int hidden, Layer act, RandomGenerator rng) {
        this.fc1 = registerModule("fc1", Layer.class, VitInit.linear(new Linear(dim, hidden, true, rng), rng));
        this.act = registerModule("act", Layer.class, act);
        this.fc2 = registerModule("fc2", Layer.class, VitInit.linear(new Linear(hidden, dim, true, rng), rng));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> fc2.get().forward(act.get().forward(fc1.get().forward(x))));   // via (B, T, hidden)
    }
}
