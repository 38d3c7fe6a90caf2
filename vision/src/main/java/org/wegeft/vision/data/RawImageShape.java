package org.wegeft.vision.data;

/** Shape of raw uint8 pixels stored in HWC order: {@code channels} is 1 (gray) or 3 (RGB). */
public record RawImageShape(int height, int width, int channels) {
    public RawImageShape {
        if (height <= 0 || width <= 0 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("raw image shape " + height + "x" + width + "x" + channels
                    + ": need positive H, W and 1 or 3 channels");
        }
    }

    @Override
    public String toString() {
        return height + "x" + width + "x" + channels;
    }
}
