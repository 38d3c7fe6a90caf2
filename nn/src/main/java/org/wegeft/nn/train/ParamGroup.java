package org.wegeft.nn.train;

import java.util.List;
import org.wegeft.tensor.Tensor;

/**
 * Parameters sharing optimizer settings: the group's learning rate is the optimizer's (scheduled) rate times
 * {@code lrScale}; {@code weightDecay} is decoupled (AdamW) or L2 (SGD).
 */
public record ParamGroup(List<Tensor> params, double lrScale, double weightDecay) {
    public ParamGroup {
        params = List.copyOf(params);
        if (!(lrScale >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("ParamGroup needs lrScale >= 0 and weightDecay >= 0, got lrScale="
                    + lrScale + " weightDecay=" + weightDecay);
        }
    }

    public static ParamGroup of(List<Tensor> params, double weightDecay) {
        return new ParamGroup(params, 1.0, weightDecay);
    }
}
