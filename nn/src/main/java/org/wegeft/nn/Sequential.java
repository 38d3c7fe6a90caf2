package org.wegeft.nn;

import java.util.ArrayList;
import java.util.List;
import org.wegeft.tensor.Tensor;

/** Layers applied in order, registered as children "0", "1", … like torch {@code nn.Sequential}. */
public final class Sequential extends Module implements Layer {
    private final List<Slot<Layer>> layers = new ArrayList<>();

    public Sequential(Layer... layers) {
        for (Layer l : layers) {
            add(l);
        }
    }

    /** Appends a layer (which must be a Module) under the next index. */
    public Sequential add(Layer layer) {
        layers.add(registerModule(Integer.toString(layers.size()), Layer.class, layer));
        return this;
    }

    public Layer get(int i) {
        return layers.get(i).get();
    }

    public int size() {
        return layers.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (layers.isEmpty()) {
            return x.reshape(x.shape());
        }
        Tensor h = x;
        for (Slot<Layer> s : layers) {
            h = s.get().forward(h);
        }
        return h;
    }
}
