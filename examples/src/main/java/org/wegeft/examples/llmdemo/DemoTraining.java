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
        Tensor logits = lm.forward(b.inputIds(), b.attentionMask(), null, null);    // (B, T, V)
        long bt = logits.size(0) * logits.size(1);
        return Functional.crossEntropy(logits.view(bt, lm.config().vocabSize()), b.targets().view(bt));
    }
}
