package org.wegeft.peft.vera;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterConfigException;
import org.wegeft.peft.AdapterMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.TargetModules;

/**
 * VeRA's {@code adapter_config.json} ({@code "peft_type": "VERA"}) with Hugging Face PEFT's field names.
 *
 * @param r                 rank of the shared projections
 * @param targetModules     {@code target_modules}
 * @param projectionPrngKey {@code projection_prng_key}: the seed of the generator that makes the projections
 * @param saveProjection    {@code save_projection}: the projections are stored in the adapter file
 *                          ({@code base_model.vera_A}, {@code base_model.vera_B}); otherwise they are made again from
 *                          the key on load
 * @param veraDropout       {@code vera_dropout}, applied to x
 * @param dInitial          {@code d_initial}: the starting value of every {@code vera_lambda_d}
 * @param initWeights       {@code init_weights}: lambda_b zeros and lambda_d = d_initial (ΔW = 0 at the start); false:
 *                          lambda_b ones and lambda_d standard normal
 * @param bias              {@code "none"}, {@code "all"} or {@code "vera_only"}
 * @param modulesToSave     {@code modules_to_save}
 * @param layersToTransform {@code layers_to_transform}
 * @param layersPattern     {@code layers_pattern}
 * @param extra             other fields, written back as read
 */
public record VeraConfig(int r, TargetModules targetModules, long projectionPrngKey, boolean saveProjection,
        double veraDropout, double dInitial, boolean initWeights, String bias, List<String> modulesToSave,
        List<Integer> layersToTransform, List<String> layersPattern, Map<String, @Nullable Object> extra)
        implements AdapterConfig {
    public static final String PEFT_TYPE = "VERA";

    public VeraConfig {
        AdapterConfigException.checkCommon("VeraConfig", r, "vera_dropout", veraDropout, bias, "vera_only");
        modulesToSave = List.copyOf(modulesToSave);
        layersToTransform = List.copyOf(layersToTransform);
        layersPattern = List.copyOf(layersPattern);
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** PEFT's defaults otherwise: key 0, projections saved, no dropout, d_initial 0.1. */
    public static VeraConfig of(int r, TargetModules targets) {
        return new VeraConfig(r, targets, 0, true, 0.0, 0.1, true, "none", List.of(), List.of(), List.of(), Map.of());
    }

    public VeraConfig withDropout(double p) {
        return new VeraConfig(r, targetModules, projectionPrngKey, saveProjection, p, dInitial, initWeights, bias,
                modulesToSave, layersToTransform, layersPattern, extra);
    }

    public VeraConfig withModulesToSave(List<String> modules) {
        return new VeraConfig(r, targetModules, projectionPrngKey, saveProjection, veraDropout, dInitial, initWeights,
                bias, modules, layersToTransform, layersPattern, extra);
    }

    @Override
    public AdapterMethod method() {
        return Objects.requireNonNull(FineTuningMethods.forPeftType(PEFT_TYPE));
    }

    /** VeRA has no scale: the trained vectors carry it. */
    @Override
    public float scale() {
        return 1f;
    }

    @Override
    public float dropout() {
        return (float) veraDropout;
    }
}
