/**
 * The {@code wegeft vit …} and {@code wegeft demo vit} commands: pretraining a small ViT, fine-tuning it with
 * WeGeFT, LoRA or a baseline on Arrow image data, evaluating, and the side-by-side demo on the embedded digits.
 */
@NullMarked
package org.wegeft.cli.vit;

import org.jspecify.annotations.NullMarked;
