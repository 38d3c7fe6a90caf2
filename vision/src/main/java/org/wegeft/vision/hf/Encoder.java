package org.wegeft.vision.hf;

import java.util.List;
import org.wegeft.nn.Module;
import org.wegeft.nn.ModuleList;
import org.wegeft.tensor.Tensor;

/** {@code encoder}: the layers in order, under ViT's list name {@code layer} or CLIP's {@code layers}. */
final class Encoder extends Module {
    private final ModuleList<EncoderLayer> layers;

    Encoder(String listName, List<EncoderLayer> layers) {
        this.layers = registerModule(listName, new ModuleList<>(EncoderLayer.class, layers)).get();
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
