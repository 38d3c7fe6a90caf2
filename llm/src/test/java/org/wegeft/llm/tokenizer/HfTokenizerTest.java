package org.wegeft.llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The project's KJV byte-level BPE through the Hugging Face binding, against ids from our own Python encoder. */
class HfTokenizerTest {
    static final Path DIR = Path.of("src/test/resources/tokenizer/kjv");
    static HfTokenizer tok;

    record Case(String text, int[] ids, int[] idsWithSpecial) {
        @Override
        public String toString() {
            return "\"" + (text.length() > 30 ? text.substring(0, 30) + "…" : text) + "\"";
        }
    }

    @BeforeAll
    static void load() {
        tok = HfTokenizer.load(DIR);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    static Stream<Case> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(DIR.resolve("expected_ids.json").toFile());
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            out.add(new Case(c.get("text").asText(), ints(c.get("ids")), ints(c.get("ids_with_special_tokens"))));
        }
        return out.stream();
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).intValue();
        }
        return r;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void encodesExactlyTheFixtureIds(Case c) {
        assertArrayEquals(c.ids(), tok.encode(c.text(), false));
        assertArrayEquals(c.idsWithSpecial(), tok.encode(c.text(), true));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void decodeOfEncodeRoundTrips(Case c) {
        assertEquals(c.text(), tok.decode(tok.encode(c.text(), false), false));
    }

    @Test
    void fixtureCoversEveryScript() throws IOException {
        String all = String.join("\n", cases().map(Case::text).toList());
        for (String probe : List.of("ü", "é", "λ", "你", "😀", "\t", "def ")) {
            assertTrue(all.contains(probe), probe);
        }
    }

    @Test
    void specialTokensComeFromTokenizerConfig() {
        SpecialTokens s = tok.specialTokens();
        assertEquals(List.of(0, 1, 2, 3), List.of(s.bos(), s.eos(), s.pad(), s.unk()));
        assertArrayEquals(new int[] {1}, s.eosIds());
        assertEquals(4000, tok.vocabSize());
        assertEquals("</s>", tok.idToToken(1));
        assertEquals(1, tok.tokenToId("</s>").orElseThrow());
        assertFalse(tok.tokenToId("no such token").isPresent());
    }

    @Test
    void skipSpecialTokensDropsThem() {
        int[] ids = tok.encode("<s>In the beginning</s>", false);
        assertEquals(0, ids[0]);
        assertEquals(1, ids[ids.length - 1]);
        assertEquals("In the beginning", tok.decode(ids, true));
    }

    @Test
    void longTextIsNotTruncated() {
        String text = "And God said, Let there be light: and there was light. ".repeat(200);
        int[] ids = tok.encode(text, false);
        assertTrue(ids.length > 2000, "ids: " + ids.length);
        assertEquals(text, tok.decode(ids, false));
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        var e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {5, 4000}, false));
        assertTrue(e.getMessage().contains("4000"), e.getMessage());
    }

    @Test
    void generationConfigEosListAddsStopIds(@TempDir Path dir) throws IOException {
        copyTokenizer(dir);
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 0, \"eos_token_id\": [2, 1]}");
        try (HfTokenizer t = HfTokenizer.load(dir)) {
            assertEquals(1, t.eosId(), "primary EOS is tokenizer_config's eos_token");
            assertTrue(t.specialTokens().isEos(1) && t.specialTokens().isEos(2));
            assertFalse(t.specialTokens().isEos(0));
        }
        Files.delete(dir.resolve("tokenizer_config.json"));
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 2}");
        try (HfTokenizer t = HfTokenizer.load(dir)) {
            assertEquals(2, t.eosId(), "without tokenizer_config the int eos_token_id is used");
            assertEquals(-1, t.bosId());
        }
    }

    @Test
    void missingTokenizerJsonNamesTheFile(@TempDir Path dir) {
        var e = assertThrows(TokenizerException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json").toString()), e.getMessage());
    }

    @Test
    void malformedFilesAreNamed(@TempDir Path dir) throws IOException {
        copyTokenizer(dir);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": ");
        var e = assertThrows(TokenizerException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("generation_config.json").toString()), e.getMessage());

        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [1, \"x\"]}");
        e = assertThrows(TokenizerException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().contains("eos_token_id"), e.getMessage());

        Files.delete(dir.resolve("generation_config.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|eot|>\"}");
        e = assertThrows(TokenizerException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().contains("eos_token") && e.getMessage().contains("<|eot|>"), e.getMessage());

        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}}");
        e = assertThrows(TokenizerException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().contains("model.vocab"), e.getMessage());
    }

    static void copyTokenizer(Path dir) throws IOException {
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(DIR.resolve(f), dir.resolve(f));
        }
    }
}
