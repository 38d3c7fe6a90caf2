package org.wegeft.vision.data;

/** One transformed sample: pixels (3, size, size) normalised, and its label. */
public record ImageSample(float[] pixels, int label) {}
