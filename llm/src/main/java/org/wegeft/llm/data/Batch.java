package org.wegeft.llm.data;

import java.util.Arrays;
import java.util.List;
import org.wegeft.tensor.Tensor;

/**
 * A padded batch as flat row-major int arrays of shape {@code (batch, length)}: input ids (padding = the pad id),
 * labels (padding = −100) and the attention mask (1 = real token, 0 = padding).
 */
public record Batch(int batch, int length, int[] inputIds, int[] labels, int[] attentionMask) {
    public Batch {
        int n = Math.multiplyExact(batch, length);
        if (inputIds.length != n || labels.length != n || attentionMask.length != n) {
            throw new IllegalArgumentException("a (" + batch + ", " + length + ") batch needs " + n + " entries per array");
        }
    }

    /**
     * Pads {@code examples} to the longest one (rounded up to a multiple of {@code multipleOf}, ≥ 1).
     *
     * @throws IllegalArgumentException for an empty list or an empty example
     */
    public static Batch collate(List<Example> examples, int padId, PaddingSide side, int multipleOf) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("cannot collate an empty batch");
        }
        int t = 0;
        for (Example e : examples) {
            if (e.length() == 0) {
                throw new IllegalArgumentException("cannot collate an empty example");
            }
            t = Math.max(t, e.length());
        }
        int m = Math.max(1, multipleOf);
        t = (t + m - 1) / m * m;
        int b = examples.size();
        int[] ids = new int[b * t];
        int[] labels = new int[b * t];
        int[] mask = new int[b * t];
        Arrays.fill(ids, padId);
        Arrays.fill(labels, Example.IGNORE);
        for (int i = 0; i < b; i++) {
            Example e = examples.get(i);
            int off = i * t + (side == PaddingSide.LEFT ? t - e.length() : 0);
            System.arraycopy(e.ids(), 0, ids, off, e.length());
            System.arraycopy(e.labels(), 0, labels, off, e.length());
            Arrays.fill(mask, off, off + e.length(), 1);
        }
        return new Batch(b, t, ids, labels, mask);
    }

    public static Batch collate(List<Example> examples, int padId) {
        return collate(examples, padId, PaddingSide.RIGHT, 1);
    }

    /** The batch as (B, T) I32 tensors; the caller owns (closes) them. */
    public LmBatch toTensors() {
        return toTensors(1.0);
    }

    /** {@link #toTensors()} with the loss scaled by {@code lossScale} ({@link LmBatch#lossScale()}). */
    public LmBatch toTensors(double lossScale) {
        return new LmBatch(Tensor.ofInts(inputIds, batch, length), Tensor.ofInts(labels, batch, length),
                Tensor.ofInts(attentionMask, batch, length), Tensor.ofInts(shiftedLabels(), batch, length), lossScale);
    }

    /** The labels shifted left by one per row ({@code targets[t] = labels[t + 1]}, −100 at the end). */
    public int[] shiftedLabels() {
        int[] out = new int[labels.length];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(labels, i * length + 1, out, i * length, length - 1);
            out[i * length + length - 1] = Example.IGNORE;
        }
        return out;
    }

    /** Tokens the shifted loss predicts: labels at positions 1.. of each row that are not −100. */
    public long predictedTokens() {
        long n = 0;
        for (int i = 0; i < batch; i++) {
            for (int t = 1; t < length; t++) {
                if (labels[i * length + t] != Example.IGNORE) {
                    n++;
                }
            }
        }
        return n;
    }
}
