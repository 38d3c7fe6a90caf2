package org.wegeft.vision.data;

import org.wegeft.kernels.WegeftInputException;

/** An image file that cannot be read or decoded. */
public final class ImageFileException extends WegeftInputException {
    private static final long serialVersionUID = 1L;

    public ImageFileException(String file, String problem, Throwable cause) {
        super(file, file + ": " + problem, cause);
    }
}
