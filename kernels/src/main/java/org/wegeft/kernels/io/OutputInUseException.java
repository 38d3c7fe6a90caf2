package org.wegeft.kernels.io;

import org.wegeft.kernels.WegeftInputException;

/** An output folder another running process is writing: a second writer is refused rather than mixed in. */
public final class OutputInUseException extends WegeftInputException {
    OutputInUseException(String folder, String message) {
        super(folder, message, null);
    }
}
