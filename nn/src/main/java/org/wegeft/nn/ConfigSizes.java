package org.wegeft.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config values that size a model's memory, each tied to the checkpoint tensor (and axis) that carries it, checked
 * against the tensors' header shapes before any module is built: a {@code config.json} claiming a million layers or
 * a vocabulary the embedding table does not have is refused at once instead of allocating toward out-of-memory.
 * A family declares its rules; a rule whose tensor the checkpoint lacks is left to the strict loader, which names
 * missing keys.
 *
 * <pre>
 *   new ConfigSizes()
 *       .layers("num_hidden_layers", 32, "model.layers.")             // ≤ highest model.layers.{i}. index + 1
 *       .dim("hidden_size", 4096, "model.embed_tokens.weight", 1)     // == shape[1]
 *       .dim("num_attention_heads × head_dim", 4096, "model.layers.0.self_attn.q_proj.weight", 0)
 *       .check(shapes, "config.json", "model.safetensors", errors);
 * </pre>
 */
public final class ConfigSizes {
    private record Rule(String key, String shown, long value, String tensor, int axis, boolean layers) {
    }

    private final List<Rule> rules = new ArrayList<>();

    /**
     * {@code key} (value {@code value}) counts blocks stored under {@code prefix}{@code {i}.}: it may not exceed the
     * highest index present plus one.
     */
    public ConfigSizes layers(String key, long value, String prefix) {
        rules.add(new Rule(key, String.valueOf(value), value, prefix, -1, true));
        return this;
    }

    /** {@code key} (value {@code value}) must equal {@code shape[axis]} of {@code tensor}, when the checkpoint has it. */
    public ConfigSizes dim(String key, long value, String tensor, int axis) {
        return dim(key, String.valueOf(value), value, tensor, axis);
    }

    /**
     * {@link #dim(String, long, String, int)} for a product of config values: {@code shown} says how {@code value}
     * arises ({@code "32 (× head_dim 128 = 4096)"}).
     */
    public ConfigSizes dim(String key, String shown, long value, String tensor, int axis) {
        rules.add(new Rule(key, shown, value, tensor, axis, false));
        return this;
    }

    /**
     * Checks every rule against {@code shapes} (tensor name to header shape).
     * @param config  the config file named in errors
     * @param weights the checkpoint (file or folder) named in errors
     * @param errors  the caller's exception for {@code (config, key, problem)}
     */
    public void check(Map<String, long[]> shapes, String config, String weights, ConfigFields.Errors errors) {
        for (Rule r : rules) {
            if (r.layers()) {
                checkLayers(r, shapes, config, weights, errors);
                continue;
            }
            long[] shape = shapes.get(r.tensor());
            if (shape == null) {
                continue;
            }
            if (r.axis() >= shape.length || shape[r.axis()] != r.value()) {
                throw errors.error(config, r.key(), "is " + r.shown() + " but " + weights + " has " + r.tensor() + " "
                        + Arrays.toString(shape) + (r.axis() < shape.length ? " (dimension " + r.axis() + " is "
                        + shape[r.axis()] + ")" : ""));
            }
        }
    }

    private static void checkLayers(Rule r, Map<String, long[]> shapes, String config, String weights,
            ConfigFields.Errors errors) {
        Pattern p = Pattern.compile(Pattern.quote(r.tensor()) + "(\\d{1,9})\\.");
        long highest = -1;
        for (String name : shapes.keySet()) {
            Matcher m = p.matcher(name);
            if (m.lookingAt()) {
                highest = Math.max(highest, Long.parseLong(m.group(1)));
            }
        }
        if (r.value() > highest + 1) {
            throw errors.error(config, r.key(), "is " + r.value() + " but " + weights + " holds "
                    + (highest < 0 ? "no " + r.tensor() + "{i}.* tensors"
                    : highest + 1 + " (" + r.tensor() + "0 to " + r.tensor() + highest + ")"));
        }
    }
}
