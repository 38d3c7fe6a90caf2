package org.wegeft.peft.wegeft;

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
 * WeGeFT's {@code adapter_config.json} ({@code "peft_type": "WEGEFT"}), field names as the authors' PEFT fork.
 *
 * @param r               rank of phi and psi (r × d_in)
 * @param wegeftAlpha     {@code wegeft_alpha}; scale = alpha / r
 * @param targetModules   {@code target_modules}
 * @param tiedModules     {@code tied_modules}: groups of regexes (matched at the start of the module path, as
 *                        Python's {@code re.match}); the targets of a group share one (phi, psi) owned by the
 *                        first of them in module order
 * @param wegeftDropout   {@code wegeft_dropout}, applied to W inside the generator
 * @param transformDim    {@code transform_dim}; only {@code "input"} is supported
 * @param bias            {@code "none"}, {@code "all"} or {@code "wegeft_only"}
 * @param modulesToSave   {@code modules_to_save}
 * @param layersToTransform {@code layers_to_transform}
 * @param layersPattern   {@code layers_pattern}
 * @param extra           other fields, written back as read
 */
public record WeGeFTConfig(int r, double wegeftAlpha, TargetModules targetModules, List<List<String>> tiedModules,
        double wegeftDropout, String transformDim, String bias, List<String> modulesToSave,
        List<Integer> layersToTransform, List<String> layersPattern, Map<String, @Nullable Object> extra)
        implements AdapterConfig {
    public static final String PEFT_TYPE = "WEGEFT";

    public WeGeFTConfig {
        String src = "WeGeFTConfig";
        AdapterConfigException.checkCommon(src, r, "wegeft_dropout", wegeftDropout, bias, "wegeft_only");
        if (!transformDim.equals("input")) {
            throw new AdapterConfigException(src, "transform_dim", "only \"input\" is supported, got \""
                    + transformDim + "\"");
        }
        tiedModules = tiedModules.stream().map(List::copyOf).toList();
        modulesToSave = List.copyOf(modulesToSave);
        layersToTransform = List.copyOf(layersToTransform);
        layersPattern = List.copyOf(layersPattern);
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** A config with the usual defaults: no dropout, no bias, nothing else saved. */
    public static WeGeFTConfig of(int r, double alpha, TargetModules targets, List<List<String>> tied) {
        return new WeGeFTConfig(r, alpha, targets, tied, 0.0, "input", "none", List.of(), List.of(), List.of(),
                Map.of());
    }

    public WeGeFTConfig withDropout(double p) {
        return new WeGeFTConfig(r, wegeftAlpha, targetModules, tiedModules, p, transformDim, bias, modulesToSave,
                layersToTransform, layersPattern, extra);
    }

    public WeGeFTConfig withModulesToSave(List<String> modules) {
        return new WeGeFTConfig(r, wegeftAlpha, targetModules, tiedModules, wegeftDropout, transformDim, bias,
                modules, layersToTransform, layersPattern, extra);
    }

    @Override
    public AdapterMethod method() {
        return Objects.requireNonNull(FineTuningMethods.forPeftType(PEFT_TYPE));
    }

    @Override
    public float scale() {
        return (float) (wegeftAlpha / r);
    }

    @Override
    public float dropout() {
        return (float) wegeftDropout;
    }
}
