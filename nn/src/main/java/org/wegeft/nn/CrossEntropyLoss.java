package org.wegeft.nn;

import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/**
 * torch {@code nn.CrossEntropyLoss(ignore_index, label_smoothing)} with mean reduction over the rows whose
 * target is not {@code ignoreIndex}.
 */
public record CrossEntropyLoss(int ignoreIndex, float labelSmoothing) {
    public CrossEntropyLoss {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
    }

    /** ignore_index −100, no smoothing (torch's defaults). */
    public CrossEntropyLoss() {
        this(Functional.IGNORE_INDEX, 0f);
    }

    // logits: (..., C), targets: (...) I32 → scalar
    public Tensor apply(Tensor logits, Tensor targets) {
        return Functional.crossEntropy(logits, targets, ignoreIndex, labelSmoothing);
    }
}
