package org.wegeft.vision.data;

/**
 * An 8-bit RGB image the way PIL holds one in mode {@code "RGB"}: {@code pixels[(y·width + x)·3 + c]}, rows top to
 * bottom, channels R, G, B. This is what Hugging Face image processors resize and crop before they rescale to float.
 */
public record RgbImage(int height, int width, byte[] pixels) {
    public RgbImage {
        if (height <= 0 || width <= 0 || pixels.length != 3L * height * width) {
            throw new IllegalArgumentException("RGB image " + height + "x" + width + " needs " + 3L * height * width
                    + " bytes, got " + pixels.length);
        }
    }

    /** Channel {@code c} of pixel (y, x), 0..255. */
    public int get(int y, int x, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Float CHW in [0, 1] ({@code v / 255}) into {@code dst[c·H·W + y·W + x]}. */
    public void toUnitFloats(float[] dst) {
        int plane = height * width;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                dst[c * plane + i] = (pixels[i * 3 + c] & 0xFF) / 255f;
            }
        }
    }
}
