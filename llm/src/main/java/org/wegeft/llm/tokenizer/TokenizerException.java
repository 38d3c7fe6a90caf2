package org.wegeft.llm.tokenizer;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WegeftInputException;

/** A tokenizer file that is missing, unreadable or malformed; the message names the file and, when known, the key. */
public final class TokenizerException extends WegeftInputException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public TokenizerException(Path file, String message, @Nullable Throwable cause) {
        super(file.toString(), file + ": " + message, cause);
        this.file = file;
    }

    public TokenizerException(Path file, String message) {
        this(file, message, null);
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
