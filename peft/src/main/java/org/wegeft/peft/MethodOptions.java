package org.wegeft.peft;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a caller asks of a fine-tuning method, in method-neutral terms; each method turns it into its own config.
 *
 * @param rank            the adapter's rank (ignored by methods without one)
 * @param alpha           the adapter's alpha, or null for the method's default (2·rank for WeGeFT and LoRA)
 * @param dropout         the adapter's dropout, or null for the method's default
 * @param targets         the Linear modules to adapt, by name ({@code q_proj}, {@code attn.proj})
 * @param tieAcrossLayers for methods that can share tensors: one set per target name, shared across layers
 * @param saved           modules that train whole alongside an adapter (a new classification head): PEFT's
 *                        {@code modules_to_save}
 * @param heads           the output heads: what a linear probe trains, and BitFit besides the biases
 */
public record MethodOptions(int rank, @Nullable Double alpha, @Nullable Double dropout, List<String> targets,
        boolean tieAcrossLayers, List<String> saved, List<String> heads) {
    public MethodOptions {
        targets = List.copyOf(targets);
        saved = List.copyOf(saved);
        heads = List.copyOf(heads);
    }

    /** {@code alpha}, or {@code dflt} when none was given. */
    public double alphaOr(double dflt) {
        return alpha != null ? alpha : dflt;
    }

    /** {@code dropout}, or {@code dflt} when none was given. */
    public double dropoutOr(double dflt) {
        return dropout != null ? dropout : dflt;
    }

    /** The targets as PEFT's {@code target_modules}. */
    public TargetModules targetModules() {
        return TargetModules.of(targets.toArray(String[]::new));
    }

    /**
     * One tie group per target name when {@link #tieAcrossLayers}, else none: a regex (Python {@code re.match}
     * semantics) for every module path ending in the name.
     */
    public List<List<String>> tieGroups() {
        return tieAcrossLayers ? targets.stream().map(t -> List.of(tieRegex(t))).toList() : List.of();
    }

    /** The regex of {@link #tieGroups()} for one target name. */
    public static String tieRegex(String name) {
        return "(.*\\.)?" + name.replace(".", "\\.") + "$";
    }
}
