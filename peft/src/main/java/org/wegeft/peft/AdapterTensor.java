package org.wegeft.peft;

/**
 * One tensor an adapter method gives a target.
 *
 * @param name  its name under the owner's module path, as in the adapter file ({@code wegeft_phi.weight})
 * @param shape its shape
 */
public record AdapterTensor(String name, long[] shape) {
    public AdapterTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
