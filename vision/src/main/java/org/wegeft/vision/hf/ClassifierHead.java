package org.wegeft.vision.hf;

import java.util.function.UnaryOperator;
import org.wegeft.tensor.Tensor;

/**
 * One classification head of a family's {@code *ForImageClassification}: its module name, its input width, and
 * what it reads from the last hidden state.
 *
 * @param name        the Linear's module name ({@code classifier}, DeiT's {@code cls_classifier}, …)
 * @param inFeatures  its input width
 * @param input       hidden (B, T, C) → (B, inFeatures), e.g. the class token
 */
record ClassifierHead(String name, int inFeatures, UnaryOperator<Tensor> input) {
    /** The class token, hidden[:, i]. */
    static UnaryOperator<Tensor> token(int i) {
        return h -> h.select(1, i);
    }

    /** The mean of the tokens from {@code first} on. */
    static UnaryOperator<Tensor> meanFrom(int first) {
        return h -> first == 0 ? h.mean(1, false) : h.narrow(1, first, h.size(1) - first).mean(1, false);
    }
}
