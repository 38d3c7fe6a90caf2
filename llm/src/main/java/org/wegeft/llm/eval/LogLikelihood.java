package org.wegeft.llm.eval;

import java.util.List;
import org.wegeft.llm.data.Batch;
import org.wegeft.llm.data.Example;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * Summed log-likelihood of each example's labels under a model, as Hugging Face's shifted causal-LM loss: the
 * logits at position {@code t} score {@code labels[t + 1]}; labels of −100 are skipped. Log-softmax is taken in
 * double precision. Runs without autograd, one right-padded batch at a time.
 */
public final class LogLikelihood {
    /** Summed log-probability of an example's predicted tokens, and how many there were. */
    public record Score(double logProb, int tokens) {
    }

    private LogLikelihood() {
    }

    public static Score[] score(CausalLm lm, List<Example> examples, int batchSize, int padId) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        }
        Score[] out = new Score[examples.size()];
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<Example> part = examples.subList(start, Math.min(examples.size(), start + batchSize));
            Batch b = Batch.collate(part, padId);
            float[] logits;
            try (Grad.Mode g = Grad.disabled(); TensorScope s = TensorScope.open()) {
                var t = b.toTensors();
                Tensor l = lm.logits(t.inputIds(), t.attentionMask()); // (B, T, V)
                if (l.dim() != 3 || l.size(0) != b.batch() || l.size(1) != b.length()) {
                    throw new IllegalStateException("logits must be (" + b.batch() + ", " + b.length() + ", V), got "
                            + java.util.Arrays.toString(l.shape()));
                }
                logits = l.toFloatArray();
            }
            int v = logits.length / (b.batch() * b.length());
            for (int i = 0; i < b.batch(); i++) {
                out[start + i] = row(logits, b.labels(), i, b.length(), v);
            }
        }
        return out;
    }

    // logits: (B, T, V) flat; labels: (B, T) flat
    static Score row(float[] logits, int[] labels, int i, int t, int v) {
        double sum = 0;
        int n = 0;
        for (int p = 0; p + 1 < t; p++) {
            int y = labels[i * t + p + 1];
            if (y == Example.IGNORE) {
                continue;
            }
            if (y < 0 || y >= v) {
                throw new IllegalArgumentException("label " + y + " outside the model's vocabulary [0, " + v + ")");
            }
            int off = (i * t + p) * v;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v; k++) {
                max = Math.max(max, logits[off + k]);
            }
            double z = 0;
            for (int k = 0; k < v; k++) {
                z += Math.exp(logits[off + k] - max);
            }
            sum += logits[off + y] - max - Math.log(z);
            n++;
        }
        return new Score(sum, n);
    }
}
