package org.wegeft.peft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.peft.ia3.Ia3Method;
import org.wegeft.peft.lora.DoraMethod;
import org.wegeft.peft.lora.LoraMethod;
import org.wegeft.peft.vera.VeraMethod;
import org.wegeft.peft.wegeft.WeGeFTMethod;

/**
 * The registry of fine-tuning methods, the one place that lists them (like Hugging Face PEFT's
 * {@code PEFT_TYPE_TO_TUNER_MAPPING}): by command-line name, and, for adapter methods, by {@code peft_type} (parsing an
 * {@code adapter_config.json} finds its method here). Adding a method is a package plus one line below; a plug-in
 * outside this library calls {@link #register} instead.
 */
public final class FineTuningMethods {
    private static final Map<String, FineTuningMethod> BY_NAME = new LinkedHashMap<>();
    private static final Map<String, AdapterMethod> BY_PEFT_TYPE = new LinkedHashMap<>();

    static {
        register(new WeGeFTMethod());
        register(new LoraMethod());
        register(new DoraMethod());
        register(new VeraMethod());
        register(new Ia3Method());
        register(BaselineMethod.FULL);
        register(BaselineMethod.PROBE);
        register(BaselineMethod.BITFIT);
    }

    private FineTuningMethods() {
    }

    /**
     * Adds a method (a plug-in's, at its start-up).
     * @throws IllegalArgumentException when its name, or an adapter's peft_type or tensor prefix, is taken
     */
    public static synchronized void register(FineTuningMethod method) {
        if (BY_NAME.containsKey(method.name())) {
            throw new IllegalArgumentException("a fine-tuning method named '" + method.name() + "' is registered");
        }
        if (method instanceof AdapterMethod a) {
            for (AdapterMethod m : BY_PEFT_TYPE.values()) {
                if (m.peftType().equals(a.peftType()) || m.tensorPrefix().equals(a.tensorPrefix())) {
                    throw new IllegalArgumentException("adapter method " + a.peftType() + " (tensors "
                            + a.tensorPrefix() + "*) clashes with the registered " + m.peftType());
                }
            }
            BY_PEFT_TYPE.put(a.peftType(), a);
        }
        BY_NAME.put(method.name(), method);
    }

    /**
     * The method called {@code name} (case and surrounding blanks ignored).
     * @throws IllegalArgumentException naming the registered methods when there is none
     */
    public static synchronized FineTuningMethod named(String name) {
        FineTuningMethod m = BY_NAME.get(name.strip().toLowerCase(Locale.ROOT));
        if (m == null) {
            throw new IllegalArgumentException("unknown method '" + name + "' (expected one of "
                    + String.join(", ", BY_NAME.keySet()) + ")");
        }
        return m;
    }

    /** The adapter method of a {@code peft_type}, or null. */
    public static synchronized @Nullable AdapterMethod forPeftType(String peftType) {
        return BY_PEFT_TYPE.get(peftType);
    }

    /** Every registered method, in registration order. */
    public static synchronized List<FineTuningMethod> all() {
        return new ArrayList<>(BY_NAME.values());
    }

    /** Every registered adapter method, in registration order. */
    public static synchronized List<AdapterMethod> adapters() {
        return new ArrayList<>(BY_PEFT_TYPE.values());
    }
}
