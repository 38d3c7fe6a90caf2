package org.wegeft.peft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.wegeft.nn.ConfigFields;

/** Reads and writes {@link AdapterConfig}s as PEFT {@code adapter_config.json} (Jackson tree model). */
final class AdapterConfigJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
        String type = c.string("peft_type");
        AdapterMethod method = FineTuningMethods.forPeftType(type);
        if (method == null) {
            List<String> types = FineTuningMethods.adapters().stream().map(AdapterMethod::peftType).toList();
            throw new AdapterConfigException(src, "peft_type", "unknown peft_type \"" + type + "\" (supported: "
                    + String.join(", ", types) + ")");
        }
        try {
            return method.parse(new AdapterConfigFields(c, method.commonFields()));
        } catch (AdapterConfigException e) {
            if (e.file().equals(src)) {
                throw e;
            }
            throw new AdapterConfigException(src, e.key(), e.problem(), e);
        }
    }

    /** {@code values} as a JSON array, or null when empty (as PEFT writes an unset list). */
    private static void putList(ObjectNode o, String key, List<?> values) {
        if (values.isEmpty()) {
            o.putNull(key);
        } else {
            ArrayNode a = o.putArray(key);
            values.forEach(v -> a.add(MAPPER.valueToTree(v)));
        }
    }

    /** {@code c} as JSON, with {@code fields} added where neither the config nor its extra fields have that name. */
    static String write(AdapterConfig c, Map<String, ?> fields) {
        ObjectNode o = MAPPER.createObjectNode();
        Set<String> common = c.method().commonFields();
        o.put("peft_type", c.peftType());
        if (common.contains("r")) {
            o.put("r", c.r());
        }
        c.method().write(c, o);
        TargetModules t = c.targetModules();
        if (t.regex() != null) {
            o.put("target_modules", t.regex());
        } else {
            t.names().forEach(o.putArray("target_modules")::add);
        }
        if (common.contains("bias")) {
            o.put("bias", c.bias());
        }
        if (c.modulesToSave().isEmpty()) {
            o.putNull("modules_to_save");
        } else {
            c.modulesToSave().forEach(o.putArray("modules_to_save")::add);
        }
        if (common.contains("layers_to_transform")) {
            putList(o, "layers_to_transform", c.layersToTransform());
        }
        if (common.contains("layers_pattern")) {
            putList(o, "layers_pattern", c.layersPattern());
        }
        c.extra().forEach((k, v) -> o.set(k, MAPPER.valueToTree(v)));
        fields.forEach((k, v) -> {
            if (!o.has(k)) {
                o.set(k, MAPPER.valueToTree(v));
            }
        });
        try {
            return MAPPER.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write adapter config: " + e, e);
        }
    }
}
