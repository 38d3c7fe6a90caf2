package org.wegeft.kernels;

import org.jspecify.annotations.Nullable;

/**
 * Bad input from the user: a file, folder, key, field, flag or setting the library cannot work with. Every such
 * exception of the library extends this one (an adapter config, a model config, a data set, a tokenizer, a
 * safetensors file, a state dict, an unavailable backend, a missing JVM flag), and its message names what is at fault
 * and the problem, so an application can report it to its user as it is; the command line maps it to status 2. It
 * lives in the lowest module so that every module can extend it.
 */
public class WegeftInputException extends RuntimeException {
    private final @Nullable String source;

    /**
     * @param source  the file, folder, flag or setting at fault (null when the message says it)
     * @param message what is wrong, naming the key or field
     */
    protected WegeftInputException(@Nullable String source, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.source = source;
    }

    /** The file, folder, flag or setting at fault, when known. */
    public @Nullable String source() {
        return source;
    }
}
