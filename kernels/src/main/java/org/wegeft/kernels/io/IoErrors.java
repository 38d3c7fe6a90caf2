package org.wegeft.kernels.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** I/O errors that name their file: the JDK's "No space left on device" or "Input/output error" do not. */
public final class IoErrors {
    private IoErrors() {
    }

    /**
     * {@code e} itself when it already names a file, else a {@link FileSystemException} for {@code file} with
     * {@code e}'s message as its reason and {@code e} as its cause.
     */
    public static IOException naming(Path file, IOException e) {
        String msg = e.getMessage();
        if (e instanceof FileSystemException fse && fse.getFile() != null
                || msg != null && msg.contains(file.toString())) {
            return e;
        }
        String reason = msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg;
        FileSystemException named = new FileSystemException(file.toString(), null, reason);
        named.initCause(e);
        return named;
    }
}
