package org.wegeft.llm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The decoder families {@link CausalLM} builds, by {@code model_type}: one line per family. */
public final class DecoderFamilies {
    private static final Map<String, DecoderFamily> FAMILIES = new LinkedHashMap<>();

    static {
        register(new LlamaFamily());
        register(new MistralFamily());
        register(new Qwen2Family());
        register(new Qwen3Family());
        register(new Phi3Family());
        register(new Gemma2Family());
        register(new Gemma3TextFamily());
    }

    private DecoderFamilies() {
    }

    private static void register(DecoderFamily f) {
        FAMILIES.put(f.modelType(), f);
    }

    /** Every supported {@code model_type}. */
    public static List<String> modelTypes() {
        return List.copyOf(FAMILIES.keySet());
    }

    static DecoderFamily get(String modelType) {
        DecoderFamily f = FAMILIES.get(modelType);
        if (f == null) {
            throw new IllegalArgumentException("no decoder family \"" + modelType + "\"");
        }
        return f;
    }

    /** @throws DecoderConfigException naming {@code model_type} when no family has it */
    static void require(String modelType, String source) {
        if (!FAMILIES.containsKey(modelType)) {
            throw new DecoderConfigException(source, "model_type", "\"" + modelType
                    + "\" is not supported (supported: " + String.join(", ", FAMILIES.keySet()) + ")");
        }
    }
}
