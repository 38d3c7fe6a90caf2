package org.wegeft.peft;

import java.util.Map;

/**
 * Adapter parameter counts from Linear shapes alone ({@code path → (out, in)}), nothing allocated: the same
 * {@link AdapterPlan} injection uses. WeGeFT: Σ over owners of 2·r·d_in; LoRA: Σ over targets r·(d_in + d_out).
 */
public final class ParameterCount {
    private ParameterCount() {
    }

    public static long wegeft(WeGeFTConfig config, Map<String, long[]> linearShapes) {
        return of(config, linearShapes);
    }

    public static long lora(LoraConfig config, Map<String, long[]> linearShapes) {
        return of(config, linearShapes);
    }

    public static long of(AdapterConfig config, Map<String, long[]> linearShapes) {
        return AdapterPlan.of(config, linearShapes, "(shapes)").adapterParameterCount();
    }
}
