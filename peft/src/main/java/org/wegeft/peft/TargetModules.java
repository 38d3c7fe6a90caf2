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

    public static TargetModules regex(String regex) {
        return new TargetModules(List.of(), regex);
    }

    /** True when {@code path} (a dotted module path) is selected. */
    public boolean matches(String path) {
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
