package org.wegeft.peft;

/**
 * What an adapter adds to one linear layer's training step, in FLOPs (2 per multiply-add).
 *
 * @param forward             the adapter's forward products
 * @param backward            its backward products
 * @param baseInputGradient   whether the frozen layer's own input gradient becomes necessary (the adapter's parameters
 *                            sit before the frozen product), even when the layer's input needs none
 */
public record AdapterFlops(double forward, double backward, boolean baseInputGradient) {
    /** Nothing added (a layer without an adapter, or a baseline). */
    public static final AdapterFlops NONE = new AdapterFlops(0, 0, false);
}
