package org.wegeft.vision.hf;

import org.wegeft.tensor.Tensor;

/** The encoder a family's classifier reads: transformers' base model of the family. */
interface VisionBackbone {
    /** images: (B, C_in, H, W) → {@code last_hidden_state} (B, T, C), as the family's base model returns it. */
    Tensor forward(Tensor images);

    /** hidden: (B, T, C) from {@link #forward} → {@code pooler_output} (B, C). */
    Tensor pooled(Tensor hidden);
}
