package org.wegeft.nn.data;

/** A batch could not be produced; {@link #getCause()} is the exception the worker threw. */
public final class DataLoaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataLoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
