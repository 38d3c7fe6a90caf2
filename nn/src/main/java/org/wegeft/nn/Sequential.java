package org.wegeft.nn;

import org.wegeft.tensor.Tensor;

/** Layers applied in order, registered as children "0", "1", … like torch {@code nn.Sequential}. */
public final class Sequential extends ModuleList<Layer> implements Layer {
    public Sequential(Layer... layers) {
        super(Layer.class);
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a layer (which must be a Module) under the next index. */
    @Override
    public Sequential add(Layer layer) {
        super.add(layer);
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (size() == 0) {
            return x.reshape(x.shape());
        }
        Tensor h = x;
        for (Layer l : this) {
            h = l.forward(h);
        }
        return h;
    }
}
