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
 * @param excludeModules    {@code exclude_modules} (names or a regex), or null
 * @param rankPattern       {@code rank_pattern}: regex → rank for the targets whose path it matches as PEFT's
 *                          {@code get_pattern_key} does ({@code (.*\.)?(key)$}, the first key in order wins)
 * @param alphaPattern      {@code alpha_pattern}: regex → alpha, matched the same way
 * @param initLoraWeights   {@code init_lora_weights}: {@code "true"} (A kaiming-uniform, B zeros), {@code "false"} (both
 *                          as a fresh nn.Linear: ΔW ≠ 0 from the start) or {@code "gaussian"} (A ~ N(0, 1/r), B zeros)
 * @param useDora           {@code use_dora}: DoRA, the weight split into a trained magnitude per output row
 *                          ({@code lora_magnitude_vector}) and the direction of W + s·B A
 */
public record LoraConfig(int r, double loraAlpha, double loraDropout, TargetModules targetModules, boolean useRslora,
        String bias, List<String> modulesToSave, List<Integer> layersToTransform, List<String> layersPattern,
        Map<String, @Nullable Object> extra, @Nullable TargetModules excludeModules, Map<String, Integer> rankPattern,
        Map<String, Double> alphaPattern, String initLoraWeights, boolean useDora) implements AdapterConfig {
    public static final String PEFT_TYPE = "LORA";

    public LoraConfig {
        String src = "LoraConfig";
        AdapterConfigException.checkCommon(src, r, "lora_dropout", loraDropout, bias, "lora_only");
        modulesToSave = List.copyOf(modulesToSave);
        layersToTransform = List.copyOf(layersToTransform);
        layersPattern = List.copyOf(layersPattern);
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        rankPattern.forEach((k, v) -> {
            if (v <= 0) {
                throw new AdapterConfigException(src, "rank_pattern", "rank of \"" + k + "\" must be positive, got " + v);
            }
        });
        rankPattern = Collections.unmodifiableMap(new LinkedHashMap<>(rankPattern));
        alphaPattern = Collections.unmodifiableMap(new LinkedHashMap<>(alphaPattern));
        if (!INITS.contains(initLoraWeights)) {
            throw new AdapterConfigException(src, "init_lora_weights", "supported: true, false or \"gaussian\", got "
                    + initLoraWeights);
        }
    }

    /** The {@code init_lora_weights} values this library implements. */
    public static final List<String> INITS = List.of("true", "false", "gaussian");

    /** The rank of the target at {@code path}: its {@link #rankPattern} entry, else r. */
    public int rankFor(String path) {
        Integer v = patternValue(rankPattern, path);
        return v != null ? v : r;
    }

    /** The alpha of the target at {@code path}: its {@link #alphaPattern} entry, else lora_alpha. */
    public double alphaFor(String path) {
        Double v = patternValue(alphaPattern, path);
        return v != null ? v : loraAlpha;
    }

    /** The multiplier of ΔW at {@code path}: alpha / r, or alpha / √r with rsLoRA, from that target's r and alpha. */
    public float scaleFor(String path) {
        int rt = rankFor(path);
        double at = alphaFor(path);
        return (float) (useRslora ? at / Math.sqrt(rt) : at / rt);
    }

    /** The value of the first key (in order) that matches {@code path} as {@code (.*\.)?(key)$}, or null. */
    private static <V> @Nullable V patternValue(Map<String, V> pattern, String path) {
        for (var e : pattern.entrySet()) {
            if (java.util.regex.Pattern.compile("(.*\\.)?(" + e.getKey() + ")$").matcher(path).matches()) {
                return e.getValue();
            }
        }
        return null;
    }

    /** A config with PEFT's defaults otherwise (no dropout, no rsLoRA, no bias). */
    public static LoraConfig of(int r, double alpha, TargetModules targets) {
        return new LoraConfig(r, alpha, 0.0, targets, false, "none", List.of(), List.of(), List.of(), Map.of(), null,
                Map.of(), Map.of(), "true", false);
    }

    public LoraConfig withDropout(double p) {
        return new LoraConfig(r, loraAlpha, p, targetModules, useRslora, bias, modulesToSave, layersToTransform,
                layersPattern, extra, excludeModules, rankPattern, alphaPattern, initLoraWeights, useDora);
    }

    public LoraConfig withDora(boolean on) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, useRslora, bias, modulesToSave,
                layersToTransform, layersPattern, extra, excludeModules, rankPattern, alphaPattern, initLoraWeights,
                on);
    }

    public LoraConfig withModulesToSave(List<String> modules) {
        return new LoraConfig(r, loraAlpha, loraDropout, targetModules, useRslora, bias, modules, layersToTransform,
                layersPattern, extra, excludeModules, rankPattern, alphaPattern, initLoraWeights, useDora);
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
