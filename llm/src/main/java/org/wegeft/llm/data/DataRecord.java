package org.wegeft.llm.data;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/** One record of a data file, in one of the three shapes the LLM commands accept. */
public sealed interface DataRecord {
    /** An Alpaca instruction record; {@code input} is "" when absent. */
    record Instruction(String instruction, String input, String output) implements DataRecord {
    }

    /** Plain text, tokenized with the model's tokenizer; every token is predicted. */
    record Text(String text) implements DataRecord {
    }

    /**
     * Pre-tokenized ids (no tokenizer needed); {@code labels}, when given, has the same length with −100 for
     * positions that are not predicted (else every token is a label).
     */
    record TokenIds(int[] ids, int @Nullable [] labels) implements DataRecord {
        public TokenIds {
            ids = ids.clone();
            labels = labels == null ? null : labels.clone();
            if (labels != null && labels.length != ids.length) {
                throw new IllegalArgumentException("labels has " + labels.length + " entries, input_ids "
                        + ids.length);
            }
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        @Override
        public int @Nullable [] labels() {
            return labels == null ? null : labels.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenIds t && Arrays.equals(ids, t.ids) && Arrays.equals(labels, t.labels);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(ids) + Arrays.hashCode(labels);
        }

        @Override
        public String toString() {
            return "TokenIds[" + Arrays.toString(ids) + (labels == null ? "" : ", labels " + Arrays.toString(labels))
                    + "]";
        }
    }
}
