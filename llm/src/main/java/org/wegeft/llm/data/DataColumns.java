package org.wegeft.llm.data;

import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The column (or JSON field) names that hold a record's conversation and its plain text, for data sets that name
 * them otherwise than {@code messages} and {@code text} (such as {@code conversation} or {@code content}).
 *
 * @param messages the message-list column of chat records
 * @param text     the string column of plain-text records
 */
public record DataColumns(String messages, String text) {
    /** {@code messages} and {@code text}, as Hugging Face and TRL name them. */
    public static final DataColumns DEFAULT = new DataColumns("messages", "text");

    public DataColumns {
        if (messages.isBlank() || text.isBlank()) {
            throw new IllegalArgumentException("column names must not be blank: messages '" + messages + "', text '"
                    + text + "'");
        }
    }

    /** The kinds of record, in the order {@link #shape} tries them. */
    enum Shape { TOKEN_IDS, MESSAGES, PROMPT_COMPLETION, TEXT, INSTRUCTION }

    /**
     * The kind of a record (a JSON object, or every row of a table) by the fields or columns it {@code has}, the
     * first that applies: {@code input_ids}, the message list, {@code prompt} or {@code completion}, the text,
     * {@code instruction} or {@code output}; null when none does. One rule for every format.
     */
    @Nullable Shape shape(Predicate<String> has) {
        if (has.test("input_ids")) {
            return Shape.TOKEN_IDS;
        }
        if (has.test(messages)) {
            return Shape.MESSAGES;
        }
        if (has.test("prompt") || has.test("completion")) {
            return Shape.PROMPT_COMPLETION;
        }
        if (has.test(text)) {
            return Shape.TEXT;
        }
        if (has.test("instruction") || has.test("output")) {
            return Shape.INSTRUCTION;
        }
        return null;
    }
}
