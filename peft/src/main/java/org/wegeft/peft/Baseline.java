package org.wegeft.peft;

import java.util.List;
import java.util.Map;
import org.wegeft.nn.Module;
import org.wegeft.tensor.Tensor;

/**
 * A fine-tuning baseline that only chooses which existing parameters train (no PEFT file format):
 * full fine-tuning, a linear probe (the named head modules only) or BitFit (every bias, plus the named modules,
 * e.g. a new head).
 *
 * @param kind    the baseline
 * @param modules module names (exact path or path suffix after a dot) made trainable as a whole
 */
public record Baseline(Kind kind, List<String> modules) {
    public enum Kind { FULL, LINEAR_PROBE, BITFIT }

    public Baseline {
        modules = List.copyOf(modules);
    }

    public static Baseline full() {
        return new Baseline(Kind.FULL, List.of());
    }

    public static Baseline linearProbe(String... heads) {
        return new Baseline(Kind.LINEAR_PROBE, List.of(heads));
    }

    public static Baseline bitFit(String... alsoTrainable) {
        return new Baseline(Kind.BITFIT, List.of(alsoTrainable));
    }

    /**
     * Sets requiresGrad on every parameter of {@code model} per this baseline.
     * @throws AdapterTargetException when a named module is not in the model
     */
    public void apply(Module model) {
        model.requiresGrad(kind == Kind.FULL);
        for (String name : modules) {
            boolean found = false;
            for (var e : model.namedModules().entrySet()) {
                String p = e.getKey();
                if (!p.isEmpty() && (p.equals(name) || p.endsWith("." + name))) {
                    e.getValue().requiresGrad(true);
                    found = true;
                }
            }
            if (!found) {
                throw new AdapterTargetException("baseline " + kind, "modules", "no module named '" + name + "'");
            }
        }
        if (kind == Kind.BITFIT) {
            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                if (e.getKey().equals("bias") || e.getKey().endsWith(".bias")) {
                    e.getValue().requiresGrad(true);
                }
            }
        }
    }
}
