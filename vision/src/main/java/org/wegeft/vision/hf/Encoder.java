package org.wegeft.vision.hf;

import java.util.function.Supplier;
import org.wegeft.nn.Module;
import org.wegeft.nn.ModuleList;
import org.wegeft.tensor.Tensor;

/** {@code encoder}: the layers in order, under ViT's list name {@code layer} or CLIP's {@code layers}. */
final class Encoder extends Module {
    private final ModuleList<EncoderLayer> layers;

    /** {@code count} layers, each a new one from {@code layer}. */
    Encoder(String listName, int count, Supplier<EncoderLayer> layer) {
        this.layers = registerModule(listName, new ModuleList<>(EncoderLayer.class)).get();
        for (int i = 0; i < count; i++) {
            layers.add(layer.get());
        }
    }

    // x: (B, T, C) → (B, T, C); each layer's input is released once its output exists
    Tensor forward(Tensor x) {
        Tensor h = x;
        for (EncoderLayer layer : layers) {
            Tensor in = h;
            h = layer.forward(in);
            if (in != x) {
                in.close();
            }
        }
        return h;
    }
}
