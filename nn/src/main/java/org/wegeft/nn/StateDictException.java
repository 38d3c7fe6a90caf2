package org.wegeft.nn;

import java.util.List;
import org.wegeft.kernels.WegeftInputException;

/** {@link Module#loadStateDict} found keys that are missing, unexpected or mis-shaped; the message lists them by name. */
public final class StateDictException extends WegeftInputException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> missing;
    private final transient List<String> unexpected;
    private final transient List<String> misShaped;

    public StateDictException(String source, List<String> missing, List<String> unexpected, List<String> misShaped) {
        super(source, message(source, missing, unexpected, misShaped), null);
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misShaped = List.copyOf(misShaped);
    }

    public List<String> missing() {
        return missing;
    }

    public List<String> unexpected() {
        return unexpected;
    }

    public List<String> misShaped() {
        return misShaped;
    }

    private static String message(String source, List<String> missing, List<String> unexpected, List<String> bad) {
        StringBuilder sb = new StringBuilder("state dict ").append(source).append(" does not match the model:");
        if (!missing.isEmpty()) {
            sb.append(" missing keys ").append(missing).append(';');
        }
        if (!unexpected.isEmpty()) {
            sb.append(" unexpected keys ").append(unexpected).append(';');
        }
        if (!bad.isEmpty()) {
            sb.append(" mis-shaped ").append(bad).append(';');
        }
        return sb.substring(0, sb.length() - 1);
    }
}
