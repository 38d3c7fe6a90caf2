package org.wegeft.vision.hf;

import java.util.Map;
import java.util.function.Supplier;
import org.wegeft.nn.ConfigFields;
import org.wegeft.nn.GELU;
import org.wegeft.nn.Layer;
import org.wegeft.nn.SiLU;

/** transformers' {@code ACT2FN} for the activations vision configs name in {@code hidden_act}. */
final class Activations {
    private static final Map<String, Supplier<Layer>> BY_NAME = Map.of(
            "gelu", GELU::new,
            "gelu_pytorch_tanh", () -> new GELU(GELU.Approximate.TANH),
            "gelu_new", () -> new GELU(GELU.Approximate.TANH),        // the same tanh approximation
            "quick_gelu", QuickGelu::new,
            "silu", SiLU::new,
            "swish", SiLU::new);

    private Activations() {
    }

    /** Raises a config error naming {@code hidden_act} unless {@code name} is known. */
    static void check(String name, ConfigFields r) {
        if (!BY_NAME.containsKey(name)) {
            throw r.error("hidden_act", "\"" + name + "\" is not supported (supported: "
                    + String.join(", ", new java.util.TreeSet<>(BY_NAME.keySet())) + ")");
        }
    }

    /** A new activation module for a name {@link #check} accepted. */
    static Layer of(String name) {
        Supplier<Layer> s = BY_NAME.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown activation " + name);
        }
        return s.get();
    }
}
