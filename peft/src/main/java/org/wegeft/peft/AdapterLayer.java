package org.wegeft.peft;

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

    /** W ← W + ΔW, keeping a copy of W for an exact {@link #unmerge()}. No-op when merged. */
    void merge();

    /** Restores the base weight bit-exactly. No-op when not merged. */
    void unmerge();

    boolean isMerged();

    /** Forgets the copy kept for unmerging (after {@code mergeAndUnload}). */
    void dropUnmergeCopy();
}
