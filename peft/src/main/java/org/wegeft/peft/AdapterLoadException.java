package org.wegeft.peft;

import java.util.List;
import org.wegeft.kernels.WegeftInputException;

/** An adapter file does not match the model: missing, unexpected or mis-shaped keys, listed by name. */
public final class AdapterLoadException extends WegeftInputException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final transient List<String> missing;
    private final transient List<String> unexpected;
    private final transient List<String> misShaped;

    public AdapterLoadException(String file, List<String> missing, List<String> unexpected, List<String> misShaped) {
        super(file, file + ": adapter does not match the model:" + (missing.isEmpty() ? "" : " missing keys " + missing)
                + (unexpected.isEmpty() ? "" : " unexpected keys " + unexpected)
                + (misShaped.isEmpty() ? "" : " mis-shaped " + misShaped), null);
        this.file = file;
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misShaped = List.copyOf(misShaped);
    }

    public String file() {
        return file;
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
}
