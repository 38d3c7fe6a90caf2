package org.wegeft.examples.llmdemo;

import org.wegeft.llm.LlamaForCausalLM;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.tensor.Tensor;

/** The causal-LM step shared by pretraining, the demo, the memory benchmark and {@code bench train}. */
public final class DemoTraining {
    private DemoTraining() {
    }

    /**
     * Mean cross-entropy of the next token over the batch's predicted positions (targets −100 skipped), the head and
     * the loss fused ({@link LlamaForCausalLM#loss}): the (B·T × V) logits and their gradient are never held.
     */
    public static Tensor loss(LlamaForCausalLM lm, LmBatch b) {
        return lm.loss(b.inputIds(), b.attentionMask(), b.targets());                   // targets: (B, T)
    }
}
