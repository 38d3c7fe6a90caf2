package org.wegeft.llm.chat;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.WegeftInputException;

/**
 * A chat template that is missing, does not parse, or raised an error for a conversation (for example one whose
 * roles break the template's rules); the message names the template's file and the problem.
 */
public final class ChatTemplateException extends WegeftInputException {
    public ChatTemplateException(String source, String message, @Nullable Throwable cause) {
        super(source, source + ": " + message, cause);
    }

    public ChatTemplateException(String source, String message) {
        this(source, message, null);
    }

    private ChatTemplateException(@Nullable String source, String fullMessage, Throwable cause, boolean full) {
        super(source, fullMessage, cause);
    }

    /** This failure as one of record {@code record} (from 1) of {@code data} (the data file; null: unnamed). */
    public ChatTemplateException inRecord(@Nullable String data, int record) {
        String where = (data == null ? "" : data + ": ") + "record " + record + ": ";
        return new ChatTemplateException(data != null ? data : source(), where + getMessage(), this, true);
    }
}
