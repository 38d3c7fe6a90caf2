package org.wegeft.nn.train;

import java.nio.file.Path;
import org.wegeft.kernels.WegeftInputException;

/** A checkpoint file that is missing, truncated, altered or unreadable: the message names the file and the problem. */
public final class CheckpointCorruptException extends WegeftInputException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file    the file at fault
     * @param problem what is wrong with it, as a predicate ("has 1000 bytes, manifest.json says 4096")
     */
    public CheckpointCorruptException(Path file, String problem) {
        super(file.toString(), file + " " + problem, null);
    }

    /** The same, wrapping the failure that revealed it (e.g. a safetensors header that does not fit its file). */
    public CheckpointCorruptException(Path file, String problem, Throwable cause) {
        super(file.toString(), file + " " + problem, cause);
    }
}
