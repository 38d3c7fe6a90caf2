package org.wegeft.nn.train;

import java.util.ArrayList;
import java.util.List;
import org.wegeft.nn.Module;
import org.wegeft.tensor.Tensor;

/** Common ways to split a model's trainable parameters into {@link ParamGroup}s. */
public final class ParamGroups {
    private ParamGroups() {
    }

    /**
     * Two groups of the trainable parameters: matrices (dim ≥ 2) with {@code weightDecay}, and 1-D / scalar
     * tensors (biases, norm weights) without decay — the usual Hugging Face / timm recipe. Empty groups are
     * left out.
     */
    public static List<ParamGroup> decayAndNoDecay(Module model, double weightDecay) {
        List<Tensor> decay = new ArrayList<>();
        List<Tensor> noDecay = new ArrayList<>();
        for (Tensor t : model.trainableParameters().values()) {
            (t.dim() >= 2 ? decay : noDecay).add(t);
        }
        List<ParamGroup> groups = new ArrayList<>();
        if (!decay.isEmpty()) {
            groups.add(ParamGroup.of(decay, weightDecay));
        }
        if (!noDecay.isEmpty()) {
            groups.add(ParamGroup.of(noDecay, 0.0));
        }
        return groups;
    }

    /** One group of every trainable parameter with {@code weightDecay}. */
    public static List<ParamGroup> all(Module model, double weightDecay) {
        return List.of(ParamGroup.of(List.copyOf(model.trainableParameters().values()), weightDecay));
    }
}
