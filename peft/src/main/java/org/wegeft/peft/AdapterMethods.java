package org.wegeft.peft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.peft.lora.LoraMethod;
import org.wegeft.peft.wegeft.WeGeFTMethod;

/**
 * The registry of adapter methods by {@code peft_type}, like Hugging Face PEFT's {@code PEFT_TYPE_TO_TUNER_MAPPING}:
 * the one place that lists them. Parsing an {@code adapter_config.json} finds its method here.
 */
public final class AdapterMethods {
    private static final Map<String, AdapterMethod> BY_TYPE = new LinkedHashMap<>();

    static {
        register(new WeGeFTMethod());
        register(new LoraMethod());
    }

    private AdapterMethods() {
    }

    /**
     * Adds a method (a plug-in's, at its start-up).
     * @throws IllegalArgumentException when its peft_type or tensor prefix is taken
     */
    public static synchronized void register(AdapterMethod method) {
        for (AdapterMethod m : BY_TYPE.values()) {
            if (m.peftType().equals(method.peftType()) || m.tensorPrefix().equals(method.tensorPrefix())) {
                throw new IllegalArgumentException("adapter method " + method.peftType() + " (tensors "
                        + method.tensorPrefix() + "*) clashes with the registered " + m.peftType());
            }
        }
        BY_TYPE.put(method.peftType(), method);
    }

    /** The method of a {@code peft_type}, or null. */
    public static synchronized @Nullable AdapterMethod forPeftType(String peftType) {
        return BY_TYPE.get(peftType);
    }

    /** Every registered method, in registration order. */
    public static synchronized List<AdapterMethod> all() {
        return new ArrayList<>(BY_TYPE.values());
    }
}
