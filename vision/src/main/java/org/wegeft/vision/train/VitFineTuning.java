package org.wegeft.vision.train;

import java.util.List;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.MethodOptions;
import org.wegeft.peft.PeftModel;
import org.wegeft.vision.VisionTransformer;

/**
 * How a pretrained ViT is adapted with any registered {@link FineTuningMethod} (the paper's ViT setting): rank-r
 * adapters on the target names with alpha = r and no dropout, one set of tensors per target name tied across blocks
 * where the method shares tensors, and the (new) classification head {@code head} trained whole in every method (an
 * adapter's {@code modules_to_save}, the probe's only trainable part).
 */
public final class VitFineTuning {
    /** The classification head's module name. */
    public static final String HEAD = "head";

    private VitFineTuning() {
    }

    /** The options at rank r on {@code targets} (e.g. {@code attn.proj}). */
    public static MethodOptions options(int rank, List<String> targets) {
        return new MethodOptions(rank, (double) rank, 0.0, targets, true, List.of(HEAD), List.of(HEAD));
    }

    /**
     * Makes {@code model}'s trainable set follow {@code method} (adapters injected in place, initialised from
     * {@code seed}); {@code model} should already carry its new head.
     */
    public static PeftModel apply(FineTuningMethod method, VisionTransformer model, int rank, List<String> targets,
            long seed) {
        return method.apply(model, options(rank, targets), seed);
    }
}
