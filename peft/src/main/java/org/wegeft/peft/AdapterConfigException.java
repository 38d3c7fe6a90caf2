package org.wegeft.peft;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WegeftInputException;

/**
 * An adapter config is invalid: bad JSON, unknown {@code peft_type}, a missing or mistyped field, a value out of
 * range. The message is {@code "<file>: <key>: <problem>"}.
 */
public class AdapterConfigException extends WegeftInputException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final String key;
    private final String problem;

    public AdapterConfigException(String file, String key, String problem) {
        this(file, key, problem, null);
    }

    public AdapterConfigException(String file, String key, String problem, @Nullable Throwable cause) {
        super(file, file + ": " + key + ": " + problem, cause);
        this.file = file;
        this.key = key;
        this.problem = problem;
    }

    /** The file (or other source) at fault. */
    public String file() {
        return file;
    }

    /** The problem alone, without file and key. */
    public String problem() {
        return problem;
    }

    /** The JSON key at fault ({@code "(json)"} for syntax errors). */
    public String key() {
        return key;
    }

    /** The checks every config record makes of the fields PEFT's configs share. */
    public static void checkCommon(String src, int r, String dropoutKey, double dropout, String bias,
            String methodOnlyBias) {
        if (r <= 0) {
            throw new AdapterConfigException(src, "r", "must be a positive integer, got " + r);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new AdapterConfigException(src, dropoutKey, "must be in [0, 1), got " + dropout);
        }
        if (!java.util.List.of("none", "all", methodOnlyBias).contains(bias)) {
            throw new AdapterConfigException(src, "bias", "must be none, all or " + methodOnlyBias + ", got \""
                    + bias + "\"");
        }
    }
}
