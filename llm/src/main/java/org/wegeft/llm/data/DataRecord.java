package org.wegeft.llm.data;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.chat.ChatMessage;

/** One record of a data file, in one of the shapes the LLM commands accept. */
public sealed interface DataRecord {
    /** An Alpaca instruction record; {@code input} is "" when absent. */
    record Instruction(String instruction, String input, String output) implements DataRecord {
    }

    /**
     * A conversation, rendered with the model's chat template. With the default assistant-only loss, the assistant
     * turns at index {@code completionStart} or later are labels: 0 for a {@code messages} record, the length of
     * the prompt for TRL's conversational prompt–completion record.
     */
    record Chat(List<ChatMessage> messages, int completionStart) implements DataRecord {
        public Chat {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("a conversation needs at least one message");
            }
            if (completionStart < 0 || completionStart > messages.size()) {
                throw new IllegalArgumentException("completionStart " + completionStart + " outside 0.."
                        + messages.size());
            }
        }

        /** A {@code messages} record: every assistant turn is a label. */
        public static Chat of(List<ChatMessage> messages) {
            return new Chat(messages, 0);
        }
    }

    /**
     * TRL's standard prompt–completion record: the prompt tokenized with the tokenizer's special tokens, the
     * completion without them and then EOS; only the completion and EOS are labels.
     */
    record PromptCompletion(String prompt, String completion) implements DataRecord {
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
