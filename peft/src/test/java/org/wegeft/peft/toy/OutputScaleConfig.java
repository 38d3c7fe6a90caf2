package org.wegeft.peft.toy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.TargetModules;

/** The toy method's {@code adapter_config.json}: {@code "peft_type": "TOY_OUTPUT_SCALE"} and {@code toy_alpha}. */
public record OutputScaleConfig(double toyAlpha, TargetModules targetModules, String bias, List<String> modulesToSave,
        List<Integer> layersToTransform, List<String> layersPattern, Map<String, @Nullable Object> extra)
        implements AdapterConfig {
    public static final String PEFT_TYPE = "TOY_OUTPUT_SCALE";

    public static OutputScaleConfig of(double alpha, TargetModules targets) {
        return new OutputScaleConfig(alpha, targets, "none", List.of(), List.of(), List.of(), Map.of());
    }

    @Override
    public AdapterMethod method() {
        return Objects.requireNonNull(FineTuningMethods.forPeftType(PEFT_TYPE));
    }

    @Override
    public int r() {
        return 1;
    }

    @Override
    public float scale() {
        return (float) toyAlpha;
    }

    @Override
    public float dropout() {
        return 0f;
    }
}
