package org.wegeft.llm.data;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WegeftInputException;

/**
 * A data record that cannot be used: a line that is not JSON, a missing field, a field of the wrong type. The
 * message starts with {@code file:line:} (JSONL, 1-based lines) or {@code file: row N:} (Arrow, 0-based rows).
 */
public final class DataFormatException extends WegeftInputException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;

    public DataFormatException(Path file, long line, String message, @Nullable Throwable cause) {
        super(file.toString(), file + ":" + line + ": " + message, cause);
        this.file = file;
        this.line = line;
    }

    public DataFormatException(Path file, long line, String message) {
        this(file, line, message, null);
    }

    /** For a problem with the file as a whole (no line). */
    public DataFormatException(Path file, String message, @Nullable Throwable cause) {
        super(file.toString(), file + ": " + message, cause);
        this.file = file;
        this.line = -1;
    }

    public Path file() {
        return file;
    }

    /** The 1-based line (JSONL) or row + 1 (Arrow) at fault; -1 when the file as a whole is. */
    public long line() {
        return line;
    }
}
