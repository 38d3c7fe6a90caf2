package org.wegeft.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigFields;

/**
 * A parsed {@code adapter_config.json} as an {@link AdapterMethod} reads it: the fields every method has (PEFT's
 * common ones, {@link #COMMON}), typed readers for its own ({@link #fields()}), and the fields nobody reads, kept to
 * be written back ({@link #extra}). Errors are {@link AdapterConfigException}s naming the file and the key.
 */
public final class AdapterConfigFields {
    /** PEFT's fields most adapter configs share ({@link AdapterMethod#commonFields()}); a method reads its own too. */
    public static final Set<String> COMMON = Set.of("peft_type", "r", "target_modules", "bias", "modules_to_save",
            "layers_to_transform", "layers_pattern");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ConfigFields f;
    private final Set<String> common;

    /** @param common the {@link #COMMON} fields the method has; the others are kept as {@link #extra} */
    AdapterConfigFields(ConfigFields f, Set<String> common) {
        this.f = f;
        this.common = common;
    }

    /** Typed access to any field, for the method's own. */
    public ConfigFields fields() {
        return f;
    }

    /**
     * Refuses PEFT's {@code fan_in_fan_out: true} (weights stored (in, out), as GPT-2's Conv1D keeps them): the
     * Linears here hold (out, in).
     */
    public void refuseFanInFanOut() {
        if (f.bool("fan_in_fan_out", false)) {
            throw f.error("fan_in_fan_out", "weights are stored (out, in) as nn.Linear keeps them; Conv1D's transposed"
                    + " layout is not supported (must be false)");
        }
    }

    /** {@code r}, required. */
    public int r() {
        return f.integer("r");
    }

    /** {@code bias}: {@code "none"} unless given. */
    public String bias() {
        return f.string("bias", "none");
    }

    public List<String> modulesToSave() {
        return f.stringOrStrings("modules_to_save");
    }

    public List<String> layersPattern() {
        return f.stringOrStrings("layers_pattern");
    }

    /** {@code target_modules}, required: a list of names or one regex. */
    public TargetModules targetModules() {
        JsonNode n = f.get("target_modules");
        if (n == null) {
            throw f.error("target_modules", "missing (a list of names or a regex)");
        }
        if (n.isTextual()) {
            return TargetModules.regex(n.asText());
        }
        List<String> names = f.list("target_modules", n, "a list of names or a regex string", JsonNode::isTextual,
                JsonNode::asText);
        if (names.isEmpty()) {
            throw f.error("target_modules", "empty list");
        }
        return new TargetModules(names, null);
    }

    /** {@code key} as {@code target_modules} is read (a list of names or a regex), or null when absent or null. */
    public @Nullable TargetModules optionalModules(String key) {
        JsonNode n = f.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return TargetModules.regex(n.asText());
        }
        return new TargetModules(f.list(key, n, "a list of names or a regex string", JsonNode::isTextual,
                JsonNode::asText), null);
    }

    /** An object of numbers by string key ({@code rank_pattern}), in file order; empty when absent or null. */
    public Map<String, Double> numberMap(String key) {
        JsonNode n = f.get(key);
        Map<String, Double> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw f.mistyped(key, "an object of numbers by module pattern", n);
        }
        for (var e : n.properties()) {
            if (!e.getValue().isNumber()) {
                throw f.mistyped(key, "an object of numbers by module pattern", n);
            }
            out.put(e.getKey(), e.getValue().asDouble());
        }
        return out;
    }

    /** {@code layers_to_transform}: an integer or a list of them; empty when absent. */
    public List<Integer> layersToTransform() {
        JsonNode n = f.get("layers_to_transform");
        if (n == null) {
            return List.of();
        }
        if (n.isIntegralNumber()) {
            return List.of(n.asInt());
        }
        return f.list("layers_to_transform", n, "an integer or a list of integers", JsonNode::isIntegralNumber,
                JsonNode::asInt);
    }

    /** A list of groups of regexes (a bare string is a group of one); empty when absent. */
    public List<List<String>> regexGroups(String key) {
        JsonNode n = f.get(key);
        if (n == null) {
            return List.of();
        }
        String what = "a list of lists of regexes";
        return f.list(key, n, what, e -> e.isTextual() || e.isArray(), e -> e.isTextual()
                ? List.of(e.asText()) : f.list(key, e, what, JsonNode::isTextual, JsonNode::asText));
    }

    /** The fields neither common to the method nor in {@code own}, as plain Java values, to be written back. */
    public Map<String, @Nullable Object> extra(Set<String> own) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        for (var e : f.root().properties()) {
            if (!common.contains(e.getKey()) && !own.contains(e.getKey())) {
                out.put(e.getKey(), MAPPER.convertValue(e.getValue(), Object.class));
            }
        }
        return out;
    }

    /** Writes a number as an integer when it is one ({@code "lora_alpha": 16}, as PEFT writes it, not 16.0). */
    public static void putNumber(ObjectNode o, String key, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            o.put(key, (long) v);
        } else {
            o.put(key, v);
        }
    }
}
