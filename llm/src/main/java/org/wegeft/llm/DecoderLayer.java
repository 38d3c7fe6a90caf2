package org.wegeft.llm;

import org.wegeft.nn.Module;
import org.wegeft.tensor.Tensor;

/** One decoder block of a {@link CausalLM}: (B, T, C) → (B, T, C), given what all blocks of a forward share. */
public abstract class DecoderLayer extends Module {
    abstract Tensor forward(Tensor x, BlockContext ctx);
}
