package org.wegeft.vision.hf;

import org.wegeft.nn.Layer;
import org.wegeft.nn.Module;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/** CLIP's {@code quick_gelu}: x · sigmoid(1.702 · x). */
final class QuickGelu extends Module implements Layer {
    @Override
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> x.mul(x.mul(1.702f).sigmoid()));
    }
}
