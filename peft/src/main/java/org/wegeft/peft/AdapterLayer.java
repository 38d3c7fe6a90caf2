package org.wegeft.peft;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.tensor.Tensor;

/**
 * The contract of every tuner layer: it wraps a frozen {@link Linear} (registered as child {@code base_layer},
 * never copied), adds the method's update in {@code forward}, and can fold that update into the base weight.
 * Merged, {@code forward} is exactly the base layer's forward.
 */
public interface AdapterLayer extends Layer {
    Linear baseLayer();

    /** The update ΔW (d_out, d_in) float32, computed from the current adapter tensors. */
    Tensor deltaWeight();

    /** The bias (d_out) float32 that merging puts in place of the base bias, or null when merging leaves it as is. */
    default @Nullable Tensor mergedBias() {
        return null;
    }

    /**
     * Frozen tensors one per model that this layer reads (VeRA's projections), by name under {@code base_model.}:
     * saved once in the adapter file with the trainable ones. Empty for most methods.
     */
    default Map<String, Tensor> modelTensors() {
        return Map.of();
    }

    /**
     * W ← W + ΔW (and the bias ← {@link #mergedBias()} when there is one), keeping a copy of W for an exact
     * {@link #unmerge()}. No-op when merged.
     */
    void merge();

    /** Restores the base weight (and bias) bit-exactly. No-op when not merged. */
    void unmerge();

    boolean isMerged();

    /** Forgets the copy kept for unmerging (after {@code mergeAndUnload}). */
    void dropUnmergeCopy();
}
