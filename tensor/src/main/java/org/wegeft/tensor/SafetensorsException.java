package org.wegeft.tensor;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WegeftInputException;

/**
 * A safetensors file, sharded checkpoint index or write request is invalid or unreadable. The message
 * names the file, the key at fault (a tensor name, {@code "__metadata__"}, {@code "header"}, or
 * {@code "file"} for I/O failures) and the problem: {@code "<file>: <key>: <problem>"}.
 */
public final class SafetensorsException extends WegeftInputException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String key;

    public SafetensorsException(Path file, String key, String problem) {
        this(file, key, problem, null);
    }

    public SafetensorsException(Path file, String key, String problem, @Nullable Throwable cause) {
        super(file.toString(), file + ": " + key + ": " + problem, cause);
        this.file = file.toString();
        this.key = key;
    }

    /** The file at fault, as given. */
    public String file() {
        return file;
    }

    /** The tensor name, {@code "__metadata__"}, {@code "header"} or {@code "file"}. */
    public String key() {
        return key;
    }
}
