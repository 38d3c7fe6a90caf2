package org.wegeft.peft;

import java.util.Map;

/**
 * Adapter parameter counts from Linear shapes alone ({@code path → (out, in)}), nothing allocated: the same
 * {@link AdapterPlan} injection uses (each owner's tensors counted once).
 */
public final class ParameterCount {
    private ParameterCount() {
    }

    public static long of(AdapterConfig config, Map<String, long[]> linearShapes) {
        return AdapterPlan.of(config, linearShapes, "(shapes)").adapterParameterCount();
    }
}
