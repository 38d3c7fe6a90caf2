package org.wegeft.kernels;

/** Requested backend is unknown or cannot run here; the message names it and says why. */
public final class BackendUnavailableException extends WegeftInputException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(null, message, null);
    }
}
