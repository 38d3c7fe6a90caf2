package org.wegeft.nn;

import org.wegeft.tensor.Tensor;

/**
 * A registered parameter or buffer of a {@link Module}: a named, replaceable holder of a tensor. Modules read
 * their weights through it ({@code weight.get()}) so {@link Module#loadStateDict} and adapters can swap the
 * tensor (e.g. adopt a memory-mapped bf16 weight) without stale fields.
 */
public final class Param {
    private final String name;
    private final boolean buffer;
    private Tensor value;

    Param(String name, Tensor value, boolean buffer) {
        this.name = name;
        this.value = value;
        this.buffer = buffer;
    }

    public String name() {
        return name;
    }

    public Tensor get() {
        return value;
    }

    /** True for buffers (state that is saved but never trained, e.g. running statistics). */
    public boolean isBuffer() {
        return buffer;
    }

    /**
     * Replaces the tensor (same shape required); the old tensor is closed unless it is the new one. The new
     * tensor keeps its own requiresGrad flag.
     */
    public void set(Tensor replacement) {
        if (!java.util.Arrays.equals(replacement.shape(), value.shape())) {
            throw new IllegalArgumentException("parameter '" + name + "': shape "
                    + java.util.Arrays.toString(replacement.shape()) + " differs from "
                    + java.util.Arrays.toString(value.shape()));
        }
        Tensor old = value;
        value = replacement;
        if (old != replacement) {
            old.close();
        }
    }
}
