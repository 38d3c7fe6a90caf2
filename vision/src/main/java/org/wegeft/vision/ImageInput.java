package org.wegeft.vision;

import java.util.List;

/**
 * What a model expects of its input images: the square size it was built for, the per-channel normalisation and the
 * resize interpolation it was trained with. The image pipeline is built from it.
 *
 * @param size          square input size in pixels
 * @param mean          per-channel normalisation mean
 * @param std           per-channel normalisation std
 * @param interpolation resize interpolation ("bicubic", "bilinear")
 */
public record ImageInput(int size, List<Double> mean, List<Double> std, String interpolation) {
    public ImageInput {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
    }
}
