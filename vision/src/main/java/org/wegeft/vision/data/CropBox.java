package org.wegeft.vision.data;

/** A window of an image: top-left corner and size, in pixels. */
public record CropBox(int top, int left, int height, int width) {
    public CropBox {
        if (height <= 0 || width <= 0 || top < 0 || left < 0) {
            throw new IllegalArgumentException("bad crop box " + top + "," + left + " " + height + "x" + width);
        }
    }

    public static CropBox full(int height, int width) {
        return new CropBox(0, 0, height, width);
    }
}
