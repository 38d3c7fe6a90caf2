package org.wegeft.vision.hf;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.nn.Param;
import org.wegeft.tensor.Tensor;

/** DINOv2's {@code layer_scale}: x · lambda1, one learned scale per channel. */
final class LayerScale extends Module implements Layer {
    private final Param lambda1;

    LayerScale(int dim, float init) {
        this.lambda1 = registerParameter("lambda1", Tensor.full(init, dim));
    }

    // x: (B, T, C) → (B, T, C)
    @Override
    public Tensor forward(Tensor x) {
        return x.mul(lambda1.get());
    }
}
