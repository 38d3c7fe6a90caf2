package org.wegeft.llm.data;

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
}
