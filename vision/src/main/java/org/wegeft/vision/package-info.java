/**
 * Vision Transformer with timm parameter names ({@link org.wegeft.vision.VisionTransformer}), its config
 * ({@link org.wegeft.vision.VitConfig}, timm-style or Hugging Face {@code config.json}) and checkpoint loading
 * from timm- or Hugging Face-named safetensors, with position-embedding resampling for new image sizes.
 */
@NullMarked
package org.wegeft.vision;

import org.jspecify.annotations.NullMarked;
