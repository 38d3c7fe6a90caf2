package org.wegeft.peft;

import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * PEFT's {@code target_modules}: either a list of names (a module path matches when it equals a name or ends
 * with {@code "." + name}) or one regex string (full match on the path).
 *
 * @param names the names (empty when {@code regex} is set)
 * @param regex the regex, or null for the list form
 */
public record TargetModules(List<String> names, @Nullable String regex) {
    public TargetModules {
        names = List.copyOf(names);
        if (regex != null && !names.isEmpty()) {
            throw new IllegalArgumentException("target_modules is either a list of names or one regex, not both");
        }
    }

    public static TargetModules of(String... names) {
        return new TargetModules(List.of(names), null);
    }

    /**
     * PEFT's shorthand {@code target_modules: "all-linear"}: every Linear except the model's output head
     * ({@code lm_head}), as PEFT leaves a causal LM's output embeddings out.
     */
    public static final String ALL_LINEAR = "all-linear";

    public static TargetModules regex(String regex) {
        return new TargetModules(List.of(), regex);
    }

    /** Whether this is the {@link #ALL_LINEAR} shorthand (any case, as PEFT compares it). */
    public boolean allLinear() {
        return regex != null && regex.equalsIgnoreCase(ALL_LINEAR);
    }

    /** True when {@code path} (a dotted module path of a Linear) is selected. */
    public boolean matches(String path) {
        if (allLinear()) {
            return !(path.equals("lm_head") || path.endsWith(".lm_head"));
        }
        if (regex != null) {
            return Pattern.compile(regex).matcher(path).matches();
        }
        for (String n : names) {
            if (path.equals(n) || path.endsWith("." + n)) {
                return true;
            }
        }
        return false;
    }
}
