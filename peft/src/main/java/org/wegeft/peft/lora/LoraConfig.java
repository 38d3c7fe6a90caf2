package org.wegeft.peft.lora;

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
 * LoRA's {@code adapter_config.json} ({@code "peft_type": "LORA"}) with Hugging Face PEFT's field names.
 *
 * @param r                 rank
 * @param loraAlpha         {@code lora_alpha}; scale = alpha / r, or alpha / √r with {@code use_rslora}
 * @param loraDropout       {@code lora_dropout}, applied to x
 * @param targetModules     {@code target_modules}
 * @param useRslora         {@code use_rslora}
 * @param bias              {@code "none"}, {@code "all"} or {@code "lora_only"}
 * @param modulesToSave     {@code modules_to_save}
 * @param layersToTransform {@code layers_to_transform}
 * @param layersPattern     {@code layers_pattern}
 * @param extra             other fields, written back as read
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, TargetModules targetModules, boolean useRslora,
        String bias, List<String> modulesToSave, List<Integer> layersToTransform, List<String> layersPattern,
        Map<String, @Nullable Object> extra) implements AdapterConfig {
    public static final String PEFT_TYPE = "LORA";

    public LoraConfig {
        String src = "LoraConfig";
        if (r <= 0) {
            throw new AdapterConfigException(src, "r", "must be a positive integer, got " + r);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new AdapterConfigException(src, "lora_dropout", "must be in [0, 1), got " + loraDropout);
        }
        if (!List.of("none", "all", "lora_only").contains(bias)) {
            throw new AdapterConfigException(src, "bias", "must be none, all or lora_only, got \"" + bias + "\"");
        }
        modulesToSave = List.copyOf(modulesToSave);
        layersToTransform = List.copyOf(layersToTransform);
        layersPattern = List.copyOf(layersPattern);
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** A config with PEFT's defaults otherwise (no dropout, no rsLoRA, no bias). */
    public static LoraConfig of(int r, double alpha, TargetModules targets) {
        return new LoraConfig(r, alpha, 0.0, targets, false, "none", List.of(), List.of(), List.of(), Map.of());
    }

    public LoraConfig withDropout(double p) {
        return new LoraConfig(r, loraAlpha, p, targetModules, useRslora, bias, modulesToSave, layersToTransform,
                layersPattern, extra);
    }

    public LoraConfig withModulesToSave(List<String> modules) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, useRslora, bias, modules, layersToTransform,
                layersPattern, extra);
    }

    @Override
    public AdapterMethod method() {
        return Objects.requireNonNull(FineTuningMethods.forPeftType(PEFT_TYPE));
    }

    @Override
    public float scale() {
        return (float) (useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r);
    }

    @Override
    public float dropout() {
        return (float) loraDropout;
    }
}
