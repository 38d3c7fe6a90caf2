package org.wegeft.nn.data;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WegeftInputException;

/**
 * A data set file that cannot be used: truncated or malformed Arrow data, a missing column, a column of the wrong
 * type, or a value of the wrong size. The message names the file and, where one is at fault, the column.
 */
public final class DatasetException extends WegeftInputException {
    private static final long serialVersionUID = 1L;

    private final transient @Nullable Path file;
    private final @Nullable String column;

    public DatasetException(@Nullable Path file, @Nullable String column, String message, @Nullable Throwable cause) {
        super(file == null ? null : file.toString(), prefix(file, column) + message, cause);
        this.file = file;
        this.column = column;
    }

    public DatasetException(@Nullable Path file, @Nullable String column, String message) {
        this(file, column, message, null);
    }

    private static String prefix(@Nullable Path file, @Nullable String column) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (column != null) {
            sb.append("column '").append(column).append("': ");
        }
        return sb.toString();
    }

    /** The file at fault, when known. */
    public @Nullable Path file() {
        return file;
    }

    /** The column at fault, when one is. */
    public @Nullable String column() {
        return column;
    }
}
