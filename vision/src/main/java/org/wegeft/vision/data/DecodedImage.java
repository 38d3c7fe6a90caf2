package org.wegeft.vision.data;

/**
 * A decoded image: 3 channels (grayscale replicated), {@code height}×{@code width}, values in [0, 1] in
 * {@code data[c·H·W + y·W + x]}. {@code data} may be longer than 3·H·W (a reused buffer).
 */
public record DecodedImage(int height, int width, float[] data) {
    public static final int CHANNELS = 3;
}
