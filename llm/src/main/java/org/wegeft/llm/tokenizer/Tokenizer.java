package org.wegeft.llm.tokenizer;

import java.util.OptionalInt;

/**
 * Text ↔ token ids. Implementations are safe to use from several threads and hold native resources until
 * {@link #close()}.
 *
 * <pre>
 * try (Tokenizer tok = HfTokenizer.load(modelDir)) {
 *     int[] ids = tok.encode("Hello", true);            // [bos, ...] when the tokenizer adds a BOS
 *     String s = tok.decode(ids, true);                  // "Hello"
 * }
 * </pre>
 */
public interface Tokenizer extends AutoCloseable {
    /** The ids of {@code text}; with {@code addSpecialTokens} the tokenizer's post-processor adds e.g. BOS. */
    int[] encode(String text, boolean addSpecialTokens);

    /**
     * The text of {@code ids}; with {@code skipSpecialTokens} special tokens are left out.
     *
     * @throws IllegalArgumentException for an id outside {@code [0, vocabSize())}
     */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Number of ids: the largest id plus one (base vocabulary and added tokens). */
    int vocabSize();

    SpecialTokens specialTokens();

    /** The token string of {@code id} (byte-level tokens in their printable form, e.g. {@code "Ġthe"}). */
    String idToToken(int id);

    /** The id of a token string, when it is in the vocabulary. */
    OptionalInt tokenToId(String token);

    default int bosId() {
        return specialTokens().bos();
    }

    default int eosId() {
        return specialTokens().eos();
    }

    default int padId() {
        return specialTokens().pad();
    }

    @Override
    void close();
}
