package org.wegeft.llm.eval;

import org.wegeft.tensor.Tensor;

/**
 * A causal language model as the evaluators see it: input ids {@code (B, T)} I32 and attention mask
 * {@code (B, T)} I32 (1 = token, 0 = right padding) → logits {@code (B, T, V)} F32, where the logits at position
 * {@code t} score the token at {@code t + 1}. E.g. {@code (ids, mask) -> model.forward(ids, mask, null, null)}.
 */
@FunctionalInterface
public interface CausalLm {
    Tensor logits(Tensor inputIds, Tensor attentionMask);
}
