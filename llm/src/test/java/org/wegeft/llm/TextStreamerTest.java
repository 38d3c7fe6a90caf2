package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wegeft.llm.tokenizer.HfTokenizer;

/** Streaming detokenization with the project's byte-level KJV tokenizer. */
class TextStreamerTest {
    @Test
    void piecesAddUpToTheDecodedTextAndNeverEndInsideACharacter() {
        try (HfTokenizer tok = HfTokenizer.load(Path.of("src/test/resources/tokenizer/kjv"))) {
            String text = "In the beginning 😀 God créated the heaven";
            int[] ids = tok.encode(text, false);
            List<String> pieces = new ArrayList<>();
            TextStreamer s = new TextStreamer(tok, pieces::add);
            for (int id : ids) {
                s.accept(id);
            }
            s.finish();
            assertEquals(tok.decode(ids, true), String.join("", pieces));
            assertTrue(pieces.size() < ids.length, "the emoji's byte tokens come out as one piece: " + pieces);
            for (String p : pieces) {
                assertFalse(p.contains("\uFFFD"), "a piece holds half a character: " + pieces);
            }
            assertEquals(ids.length, s.tokens());
            assertTrue(s.medianSecondsPerToken() >= 0);
        }
    }
}
