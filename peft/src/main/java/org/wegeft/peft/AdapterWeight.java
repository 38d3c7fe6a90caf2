package org.wegeft.peft;

import org.wegeft.nn.Module;
import org.wegeft.tensor.Tensor;

/**
 * A module holding one trainable matrix under the name {@code weight}, like a bias-free torch {@code nn.Linear}
 * used as a parameter holder; registered as {@code wegeft_phi}, {@code lora_A}, … so the parameter path ends in
 * {@code .wegeft_phi.weight} as in PEFT. A tied pair is one instance registered in several layers; the module
 * tree lists it (and its parameter) once, under the first layer.
 */
public final class AdapterWeight extends Module {
    private final org.wegeft.nn.Param weight;

    public AdapterWeight(Tensor value) {
        this.weight = registerParameter("weight", value);
    }

    public Tensor weight() {
        return weight.get();
    }
}
