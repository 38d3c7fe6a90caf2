package org.wegeft.tensor;

/** Operand shapes are incompatible with an operation; the message names the operation and the shapes. */
public final class ShapeMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeMismatchException(String message) {
        super(message);
    }
}
