/**
 * Image data for vision models: decoding (PNG/JPEG via {@code javax.imageio}, or raw uint8 pixels) to float CHW,
 * resize / crop / flip / normalisation ({@link org.wegeft.vision.data.ImageOps}), the per-sample pipeline
 * ({@link org.wegeft.vision.data.ImagePipeline}) and loaders of image-classification batches
 * ({@link org.wegeft.vision.data.ImageLoaders}).
 */
@NullMarked
package org.wegeft.vision.data;

import org.jspecify.annotations.NullMarked;
