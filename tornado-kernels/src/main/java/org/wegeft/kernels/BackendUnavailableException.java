package org.wegeft.kernels;

/** Requested backend is unknown or cannot run here; the message names it and says why. */
public final class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }
}
