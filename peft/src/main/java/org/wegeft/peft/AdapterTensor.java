package org.wegeft.peft;

/**
 * One tensor an adapter method gives a target.
 *
 * @param name      its name under the owner's module path, as in the adapter file ({@code wegeft_phi.weight}); for a
 *                  model-wide tensor, its name under {@code base_model.} ({@code vera_A})
 * @param shape     its shape
 * @param modelWide a frozen tensor one per model that every target reads (VeRA's projections), stored once as
 *                  {@code base_model.<name>} and not counted as trainable
 */
public record AdapterTensor(String name, long[] shape, boolean modelWide) {
    public AdapterTensor {
        shape = shape.clone();
    }

    /** A trainable tensor of the target's owner. */
    public AdapterTensor(String name, long[] shape) {
        this(name, shape, false);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Its key in an adapter file, for a target owned by {@code owner}. */
    public String key(String owner) {
        return modelWide ? "base_model." + name : AdapterPlan.PREFIX + owner + "." + name;
    }
}
