package org.wegeft.peft;

import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * Base of the tuner layers: holds the wrapped {@link Linear} as child {@code base_layer} and implements
 * merge / unmerge with a copy of the original weight (so unmerge is bit-exact, whatever the dtype).
 */
public abstract class TunerLayer extends Module implements AdapterLayer {
    private final Slot<Linear> base;
    private @Nullable Tensor original;
    private @Nullable Tensor originalBias;

    protected TunerLayer(Linear base) {
        this.base = registerModule("base_layer", base);
    }

    @Override
    public final Linear baseLayer() {
        return base.get();
    }

    @Override
    public final boolean isMerged() {
        return original != null;
    }

    /** x: (..., d_in) → (..., d_out): the base layer when merged, else {@link #adaptedForward}. */
    @Override
    public final Tensor forward(Tensor x) {
        return isMerged() ? baseLayer().forward(x) : adaptedForward(x);
    }

    /** The forward with the adapter applied on the fly. */
    protected abstract Tensor adaptedForward(Tensor x);

    @Override
    public final void merge() {
        if (isMerged()) {
            return;
        }
        Tensor w = baseLayer().weight();
        Tensor b = baseLayer().bias();
        try (var g = Grad.disabled(); Tensor d = deltaWeight(); Tensor nb = b == null ? null : mergedBias()) {
            Tensor copy = copyOf(w);
            if (nb != null) {
                originalBias = copyOf(b);
                b.copyFrom(nb);
            }
            w.addInPlace(d, 1f);
            original = copy;
        }
    }

    private static Tensor copyOf(Tensor t) {
        return Tensor.zeros(t.dtype(), t.shape()).copyFrom(t);
    }

    @Override
    public final void unmerge() {
        Tensor o = original;
        if (o == null) {
            return;
        }
        try (var g = Grad.disabled()) {
            baseLayer().weight().copyFrom(o);
            Tensor ob = originalBias;
            Tensor b = baseLayer().bias();
            if (ob != null && b != null) {
                b.copyFrom(ob);
            }
        }
        o.close();
        original = null;
        dropBiasCopy();
    }

    private void dropBiasCopy() {
        if (originalBias != null) {
            originalBias.close();
            originalBias = null;
        }
    }

    @Override
    public final void dropUnmergeCopy() {
        if (original != null) {
            original.close();
            original = null;
        }
        dropBiasCopy();
    }
}
