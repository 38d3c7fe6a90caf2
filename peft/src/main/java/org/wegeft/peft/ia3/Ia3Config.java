package org.wegeft.peft.ia3;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterConfigException;
import org.wegeft.peft.AdapterMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.TargetModules;

/**
 * (IA)³'s {@code adapter_config.json} ({@code "peft_type": "IA3"}) with Hugging Face PEFT's field names. It has no
 * rank, no bias option and no layer selection.
 *
 * @param targetModules      {@code target_modules}
 * @param feedforwardModules {@code feedforward_modules}: the targets whose input is scaled (the others scale their
 *                           output); a list matches a module path that ends with an entry, a regex the whole path
 * @param excludeModules     {@code exclude_modules}, or null
 * @param initIa3Weights     {@code init_ia3_weights}: every scale starts at 1; false: standard normal
 * @param modulesToSave      {@code modules_to_save}
 * @param extra              other fields, written back as read
 */
public record Ia3Config(TargetModules targetModules, TargetModules feedforwardModules,
        @Nullable TargetModules excludeModules, boolean initIa3Weights, List<String> modulesToSave,
        Map<String, @Nullable Object> extra) implements AdapterConfig {
    public static final String PEFT_TYPE = "IA3";

    public Ia3Config {
        if (feedforwardModules.regex() == null && targetModules.regex() == null
                && !targetModules.names().containsAll(feedforwardModules.names())) {
            throw new AdapterConfigException("Ia3Config", "feedforward_modules", "must be a subset of target_modules "
                    + targetModules.names() + ", got " + feedforwardModules.names());
        }
        modulesToSave = List.copyOf(modulesToSave);
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** PEFT's defaults otherwise: scales start at 1, nothing excluded or saved. */
    public static Ia3Config of(TargetModules targets, TargetModules feedforward) {
        return new Ia3Config(targets, feedforward, null, true, List.of(), Map.of());
    }

    public Ia3Config withModulesToSave(List<String> modules) {
        return new Ia3Config(targetModules, feedforwardModules, excludeModules, initIa3Weights, modules, extra);
    }

    /** Whether the target at {@code path} scales its input (PEFT's {@code _check_target_module_feedforward}). */
    public boolean isFeedforward(String path) {
        String regex = feedforwardModules.regex();
        if (regex != null) {
            return Pattern.compile(regex).matcher(path).matches();
        }
        return feedforwardModules.names().stream().anyMatch(path::endsWith);
    }

    @Override
    public AdapterMethod method() {
        return Objects.requireNonNull(FineTuningMethods.forPeftType(PEFT_TYPE));
    }

    /** No rank. */
    @Override
    public int r() {
        return 0;
    }

    @Override
    public float scale() {
        return 1f;
    }

    @Override
    public List<Integer> layersToTransform() {
        return List.of();
    }

    @Override
    public List<String> layersPattern() {
        return List.of();
    }

    /** (IA)³ trains no bias. */
    @Override
    public String bias() {
        return "none";
    }

    @Override
    public float dropout() {
        return 0f;
    }
}
