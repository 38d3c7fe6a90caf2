package org.wegeft.llm;

import org.wegeft.tensor.Tensor;

/** The self-attention of a decoder block: x (B, T, C) → (B, T, C), given what all blocks of a forward share. */
interface BlockAttention {
    Tensor forward(Tensor x, BlockContext ctx);
}
