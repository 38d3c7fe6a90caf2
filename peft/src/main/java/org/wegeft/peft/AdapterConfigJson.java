package org.wegeft.peft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigFields;

/** Reads and writes {@link AdapterConfig}s as PEFT {@code adapter_config.json} (Jackson tree model). */
final class AdapterConfigJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Set<String> COMMON = Set.of("peft_type", "r", "target_modules", "bias", "modules_to_save",
            "layers_to_transform", "layers_pattern");
    private static final Set<String> WEGEFT = Set.of("wegeft_alpha", "tied_modules", "wegeft_dropout",
            "transform_dim");
    private static final Set<String> LORA = Set.of("lora_alpha", "lora_dropout", "use_rslora");

    private AdapterConfigJson() {
    }

    static AdapterConfig parse(String json, String src) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AdapterConfigException(src, "(json)", "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AdapterConfigException(src, "(json)", "expected a JSON object");
        }
        ConfigFields c = new ConfigFields(src, root, AdapterConfigException::new, ConfigFields.Wording.EXPECTED);
        Fields f = new Fields(c);
        String type = c.string("peft_type");
        try {
            return switch (type) {
                case WeGeFTConfig.PEFT_TYPE -> new WeGeFTConfig(c.integer("r"), c.number("wegeft_alpha", 8.0),
                        f.targets(), f.tied(), c.number("wegeft_dropout", 0.0), f.transformDim(),
                        c.string("bias", "none"), c.stringOrStrings("modules_to_save"), f.layers(),
                        c.stringOrStrings("layers_pattern"), f.extra(WEGEFT));
                case LoraConfig.PEFT_TYPE -> new LoraConfig(c.integer("r"), c.number("lora_alpha", 8.0),
                        c.number("lora_dropout", 0.0), f.targets(), c.bool("use_rslora", false),
                        c.string("bias", "none"), c.stringOrStrings("modules_to_save"), f.layers(),
                        c.stringOrStrings("layers_pattern"), f.extra(LORA));
                default -> throw new AdapterConfigException(src, "peft_type", "unknown peft_type \"" + type
                        + "\" (supported: WEGEFT, LORA)");
            };
        } catch (AdapterConfigException e) {
            if (e.file().equals(src)) {
                throw e;
            }
            throw new AdapterConfigException(src, e.key(), e.problem(), e);
        }
    }

    /** The adapter-specific fields; the generic ones come from {@link ConfigFields}. */
    private record Fields(ConfigFields f) {
        TargetModules targets() {
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

        List<List<String>> tied() {
            JsonNode n = f.get("tied_modules");
            if (n == null) {
                return List.of();
            }
            String what = "a list of lists of regexes";
            return f.list("tied_modules", n, what, e -> e.isTextual() || e.isArray(), e -> e.isTextual()
                    ? List.of(e.asText()) : f.list("tied_modules", e, what, JsonNode::isTextual, JsonNode::asText));
        }

        String transformDim() {
            JsonNode n = f.get("transform_dim");
            if (n == null) {
                return "input";
            }
            if (n.isObject()) { // the authors' fork: {target name: dim}
                for (var e : n.properties()) {
                    if (!e.getValue().isTextual()) {
                        throw f.mistyped("transform_dim", "\"input\" for every target", n);
                    }
                    if (!e.getValue().asText().equals("input")) {
                        return e.getValue().asText();
                    }
                }
                return "input";
            }
            return f.string("transform_dim", "input");
        }

        List<Integer> layers() {
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

        Map<String, @Nullable Object> extra(Set<String> own) {
            Map<String, @Nullable Object> out = new LinkedHashMap<>();
            for (var e : f.root().properties()) {
                if (!COMMON.contains(e.getKey()) && !own.contains(e.getKey())) {
                    out.put(e.getKey(), MAPPER.convertValue(e.getValue(), Object.class));
                }
            }
            return out;
        }
    }

    static String write(AdapterConfig c) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("peft_type", c.peftType());
        o.put("r", c.r());
        switch (c) {
            case WeGeFTConfig w -> {
                putNumber(o, "wegeft_alpha", w.wegeftAlpha());
                o.put("wegeft_dropout", w.wegeftDropout());
                o.put("transform_dim", w.transformDim());
                ArrayNode tied = o.putArray("tied_modules");
                w.tiedModules().forEach(g -> g.forEach(tied.addArray()::add));
            }
            case LoraConfig l -> {
                putNumber(o, "lora_alpha", l.loraAlpha());
                o.put("lora_dropout", l.loraDropout());
                o.put("use_rslora", l.useRslora());
            }
        }
        TargetModules t = c.targetModules();
        if (t.regex() != null) {
            o.put("target_modules", t.regex());
        } else {
            t.names().forEach(o.putArray("target_modules")::add);
        }
        o.put("bias", c.bias());
        if (c.modulesToSave().isEmpty()) {
            o.putNull("modules_to_save");
        } else {
            c.modulesToSave().forEach(o.putArray("modules_to_save")::add);
        }
        if (c.layersToTransform().isEmpty()) {
            o.putNull("layers_to_transform");
        } else {
            c.layersToTransform().forEach(o.putArray("layers_to_transform")::add);
        }
        if (c.layersPattern().isEmpty()) {
            o.putNull("layers_pattern");
        } else {
            c.layersPattern().forEach(o.putArray("layers_pattern")::add);
        }
        c.extra().forEach((k, v) -> o.set(k, MAPPER.valueToTree(v)));
        try {
            return MAPPER.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write adapter config: " + e, e);
        }
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            o.put(key, (long) v);
        } else {
            o.put(key, v);
        }
    }
}
