/**
 * Image data for vision models: decoding (PNG/JPEG via {@code javax.imageio}, EXIF orientation and RGB conversion
 * as PIL's, or raw uint8 pixels); Hugging Face image processors' preprocessing, pixel for pixel as PIL resizes
 * ({@link org.wegeft.vision.data.PreprocessorConfig}, {@link org.wegeft.vision.data.Preprocessor},
 * {@link org.wegeft.vision.data.PilResize}); float CHW resize / crop / flip / normalisation as PyTorch's
 * {@code interpolate} for training augmentation ({@link org.wegeft.vision.data.ImageOps}), the per-sample pipeline
 * ({@link org.wegeft.vision.data.ImagePipeline}) and loaders of image-classification batches
 * ({@link org.wegeft.vision.data.ImageLoaders}).
 */
@NullMarked
package org.wegeft.vision.data;

import org.jspecify.annotations.NullMarked;
