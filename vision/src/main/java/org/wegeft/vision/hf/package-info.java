/**
 * Hugging Face vision families under transformers' own module names (ViT, DeiT, DINOv2 with and without registers,
 * the CLIP and SigLIP vision towers), so PEFT targets ({@code query}, {@code value}, {@code q_proj}, …) and adapters
 * carry over: shared blocks ({@link org.wegeft.vision.hf.EncoderLayer}, {@link org.wegeft.vision.hf.SelfAttention},
 * the embeddings), one {@link org.wegeft.vision.hf.HfFamily} per family, and the classifier model they all load into
 * ({@link org.wegeft.vision.hf.HfImageClassifier}).
 */
@NullMarked
package org.wegeft.vision.hf;

import org.jspecify.annotations.NullMarked;
