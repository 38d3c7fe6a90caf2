/**
 * Image-classification training pieces on top of {@link org.wegeft.nn.train.Trainer}: the cross-entropy step,
 * accuracy evaluation over a {@link org.wegeft.nn.data.DataLoader}, and a options for fine-tuning a
 * {@link org.wegeft.vision.VisionTransformer} with WeGeFT, LoRA or a baseline.
 */
@NullMarked
package org.wegeft.vision.train;

import org.jspecify.annotations.NullMarked;
