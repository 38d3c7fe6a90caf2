package org.wegeft.llm.data;

import java.util.Arrays;

/**
 * A tokenized training/evaluation example: {@code ids} and {@code labels} of equal length, labels aligned with
 * the ids as in Hugging Face ({@code labels[t] = ids[t]} for a predicted token, −100 for a masked one; the loss
 * shifts them by one).
 */
public record Example(int[] ids, int[] labels) {
    /** The label of a position that is not predicted (torch's ignore_index). */
    public static final int IGNORE = -100;

    public Example {
        if (ids.length != labels.length) {
            throw new IllegalArgumentException("ids has " + ids.length + " entries, labels " + labels.length);
        }
        ids = ids.clone();
        labels = labels.clone();
    }

    /** An example whose every token is a label. */
    public static Example of(int[] ids) {
        return new Example(ids, ids);
    }

    public int length() {
        return ids.length;
    }

    /** Number of tokens predicted by the shifted loss: labels at positions 1.. that are not −100. */
    public int predictedTokens() {
        int n = 0;
        for (int t = 1; t < labels.length; t++) {
            if (labels[t] != IGNORE) {
                n++;
            }
        }
        return n;
    }

    /** The first {@code n} positions (this example when it is not longer). */
    public Example truncate(int n) {
        return ids.length <= n ? this : new Example(Arrays.copyOf(ids, n), Arrays.copyOf(labels, n));
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Example e && Arrays.equals(ids, e.ids) && Arrays.equals(labels, e.labels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "Example[ids=" + Arrays.toString(ids) + ", labels=" + Arrays.toString(labels) + "]";
    }
}
