package org.wegeft.examples.llmdemo;

import org.wegeft.llm.LlamaForCausalLM;
import org.wegeft.llm.data.LmBatch;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/** The causal-LM step shared by pretraining, the demo, the memory benchmark and {@code bench train}. */
public final class DemoTraining {
    private DemoTraining() {
    }

    /** Mean cross-entropy of the next token over the batch's predicted positions (targets −100 skipped). */
    public static Tensor loss(LlamaForCausalLM lm, LmBatch b) {
        // the logits are the largest activation and the loss's backward needs only the gradient its forward
        // already made: free them here rather than at the end of the step
        try (Tensor logits = lm.forward(b.inputIds(), b.attentionMask(), null, null);    // (B, T, V)
             Tensor flat = logits.view(logits.size(0) * logits.size(1), lm.config().vocabSize());
             Tensor targets = b.targets().view(flat.size(0))) {
            return Functional.crossEntropy(flat, targets);
        }
    }
}
