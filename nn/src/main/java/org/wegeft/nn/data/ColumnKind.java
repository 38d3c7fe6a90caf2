package org.wegeft.nn.data;

/** What a column selected from an {@link ArrowDataset} must hold. */
public enum ColumnKind {
    /**
     * Images: Hugging Face's {@code struct<bytes: binary, path: string>} (encoded PNG/JPEG bytes), or raw
     * uint8 pixels as {@code binary}, {@code large_binary}, {@code list<uint8>} or {@code fixed_size_list<uint8>}.
     */
    IMAGE,
    /** Integers (class labels): int8, int16, int32 or int64, signed or unsigned. */
    INTEGER,
    /** UTF-8 text ({@code utf8} / {@code large_utf8}). */
    STRING,
    /**
     * Conversations: a list of structs with string fields {@code role} and {@code content} (further string fields
     * are kept beside them), as Hugging Face chat data sets store {@code messages}.
     */
    MESSAGES
}
