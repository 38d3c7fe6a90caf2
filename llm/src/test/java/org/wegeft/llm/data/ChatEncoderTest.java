package org.wegeft.llm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.chat.ChatTemplateException;
import org.wegeft.llm.testing.RealTokenizers;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.tensor.testing.TensorFixtures;

/** Ids and assistant-only labels of chat records against tools/fixtures/make_chat_fixtures.py. */
class ChatEncoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path fixture(String name) {
        return TensorFixtures.path(ChatEncoderTest.class, "chat/" + name,
                "/usr/bin/python3 tools/fixtures/make_chat_fixtures.py");
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asInt();
        }
        return r;
    }

    @Test
    void idsAndAssistantLabelsEqualTheReference() throws IOException {
        JsonNode rendered = JSON.readTree(Files.readString(fixture("rendered.json")));
        List<DataRecord> records = DataFiles.read(fixture("conversations.jsonl"));
        for (String model : (Iterable<String>) rendered::fieldNames) {
            Path dir = RealTokenizers.folder(model);
            try (HfTokenizer tok = HfTokenizer.load(dir)) {
                ChatEncoder enc = new ChatEncoder(tok, ChatTemplate.fromModel(dir), false);
                JsonNode expected = rendered.get(model);
                assertEquals(new TreeSet<>(JSON.convertValue(expected.get("end_of_turn_ids"), List.class)),
                        new TreeSet<>(enc.endOfTurnIds()), model + " end-of-turn ids");
                for (int i = 0; i < records.size(); i++) {
                    Example e = enc.encode((DataRecord.Chat) records.get(i));
                    JsonNode ref = expected.get("conversations").get(i);
                    assertArrayEquals(ints(ref.get("input_ids")), e.ids(), model + " conversation " + i + " ids");
                    assertArrayEquals(ints(ref.get("labels")), e.labels(), model + " conversation " + i + " labels");
                    Example all = new ChatEncoder(tok, enc.template(), true).encode((DataRecord.Chat) records.get(i));
                    assertArrayEquals(e.ids(), all.labels(), "--train-on all labels every token");
                }
                // through ExampleEncoder, as training sees it
                ExampleEncoder ex = ExampleEncoder.of(tok, 4096).withChatTemplate(enc.template());
                assertArrayEquals(ints(expected.get("conversations").get(0).get("labels")),
                        ex.encode(records.get(0)).labels());
            }
        }
    }

    @Test
    void aCompletionRecordLabelsOnlyTheCompletion() throws IOException {
        Path dir = RealTokenizers.folder("qwen3");
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            ChatEncoder enc = new ChatEncoder(tok, ChatTemplate.fromModel(dir), false);
            List<ChatMessage> msgs = List.of(new ChatMessage("user", "a"), new ChatMessage("assistant", "b"),
                    new ChatMessage("user", "c"), new ChatMessage("assistant", "d"));
            Example every = enc.encode(DataRecord.Chat.of(msgs));
            Example last = enc.encode(new DataRecord.Chat(msgs, 2));
            assertEquals(every.ids().length, last.ids().length);
            int labelled = 0;
            for (int t = 0; t < every.length(); t++) {
                labelled += every.labels()[t] != Example.IGNORE && last.labels()[t] == Example.IGNORE ? 1 : 0;
                assertTrue(last.labels()[t] == Example.IGNORE || last.labels()[t] == every.labels()[t]);
            }
            assertEquals(2, labelled, "the first answer (b, <|im_end|>) is prompt in the completion record");
        }
    }

    @Test
    void aTemplateWhosePrefixDiffersIsRefused(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path dir = RealTokenizers.folder("qwen3");
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            // the generation prompt differs from how the template writes an assistant turn
            ChatTemplate t = ChatTemplate.of("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}"
                    + "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>bot\n{% endif %}",
                    Map.of(), "custom.jinja");
            var e = assertThrows(ChatTemplateException.class, () -> new ChatEncoder(tok, t, false).encode(
                    DataRecord.Chat.of(List.of(new ChatMessage("user", "a"), new ChatMessage("assistant", "b")))));
            assertTrue(e.getMessage().startsWith("custom.jinja: assistant turn 1: "), e.getMessage());
        }
        List<ChatMessage> none = new ArrayList<>();
        assertThrows(IllegalArgumentException.class, () -> DataRecord.Chat.of(none));
    }
}
