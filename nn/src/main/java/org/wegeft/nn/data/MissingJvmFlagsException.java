package org.wegeft.nn.data;

import org.wegeft.kernels.WegeftInputException;

/** The JVM was started without flags a library needs here (Apache Arrow's direct memory access); names them. */
public final class MissingJvmFlagsException extends WegeftInputException {
    private final String flags;

    public MissingJvmFlagsException(String flags, String what, Throwable cause) {
        super(null, what + " needs the JVM flags " + flags, cause);
        this.flags = flags;
    }

    /** The flags to add to the {@code java} command line. */
    public String flags() {
        return flags;
    }
}
