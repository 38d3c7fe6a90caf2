package org.wegeft.vision.hf;

import java.util.List;

/**
 * A family's config defaults where {@code config.json} says nothing (transformers' config classes and image
 * processors).
 *
 * @param patchSize     default {@code patch_size}
 * @param hiddenAct     default {@code hidden_act}
 * @param layerNormEps  default {@code layer_norm_eps}
 * @param mean          the image processor's default {@code image_mean}
 * @param std           the image processor's default {@code image_std}
 * @param interpolation the image processor's default resample
 * @param registers     default {@code num_register_tokens}
 */
record HfDefaults(int patchSize, String hiddenAct, double layerNormEps, List<Double> mean, List<Double> std,
        String interpolation, int registers) {
    static final List<Double> HALF = List.of(0.5, 0.5, 0.5);
    static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
    static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);
}
