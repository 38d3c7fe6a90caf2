package org.wegeft.llm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wegeft.llm.testing.RealTokenizers;
import org.wegeft.tensor.testing.TensorFixtures;

/** Rendering against Python jinja2 as transformers runs it (tools/fixtures/make_chat_fixtures.py). */
class ChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Clock FIXTURE_CLOCK = Clock.fixed(LocalDateTime.of(2026, 7, 26, 9, 5, 3).toInstant(ZoneOffset.UTC),
            ZoneOffset.UTC);

    static Path fixture(String name) {
        return TensorFixtures.path(ChatTemplateTest.class, "chat/" + name,
                "/usr/bin/python3 tools/fixtures/make_chat_fixtures.py");
    }

    static JsonNode json(String name) throws IOException {
        return JSON.readTree(Files.readString(fixture(name)));
    }

    static List<ChatMessage> messages(JsonNode list) {
        List<ChatMessage> out = new ArrayList<>();
        list.forEach(m -> out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText())));
        return out;
    }

    static List<List<ChatMessage>> conversations() throws IOException {
        List<List<ChatMessage>> out = new ArrayList<>();
        for (String line : Files.readAllLines(fixture("conversations.jsonl"))) {
            out.add(messages(JSON.readTree(line).get("messages")));
        }
        return out;
    }

    @Test
    void engineCasesRenderAsJinja2Does() throws IOException {
        JsonNode cases = json("engine.json");
        int i = 0;
        for (JsonNode c : cases) {
            String where = "engine case " + i++ + ": " + c.get("template").asText();
            Map<String, Object> kwargs = new HashMap<>();
            c.get("context").fields().forEachRemaining(f -> kwargs.put(f.getKey(),
                    JSON.convertValue(f.getValue(), Object.class)));
            List<ChatMessage> msgs = messages(c.get("context").get("messages"));
            kwargs.remove("messages");
            ChatTemplate t = ChatTemplate.of(c.get("template").asText(), Map.of(), "engine.json").withClock(
                    FIXTURE_CLOCK);
            boolean gen = Boolean.TRUE.equals(kwargs.get("add_generation_prompt"));
            if (c.has("error")) {
                var e = assertThrows(ChatTemplateException.class, () -> t.render(msgs, gen, kwargs), where);
                assertEquals("engine.json: the template raised: " + c.get("error").asText(), e.getMessage(), where);
            } else {
                assertEquals(c.get("text").asText(), t.render(msgs, gen, kwargs), where);
            }
        }
    }

    @Test
    void realTemplatesRenderByteForByte() throws IOException {
        JsonNode rendered = json("rendered.json");
        List<List<ChatMessage>> convs = conversations();
        java.util.Set<String> models = new java.util.TreeSet<>();
        rendered.fieldNames().forEachRemaining(models::add);
        assertEquals(new java.util.TreeSet<>(RealTokenizers.models()), models, "every real tokenizer has fixtures");
        for (String model : models) {
            ChatTemplate t = ChatTemplate.fromModel(RealTokenizers.folder(model));
            JsonNode expected = rendered.get(model);
            if (expected.has("refuses")) {
                var e = assertThrows(ChatTemplateException.class, () -> t.render(messages(expected.get("refuses")
                        .get("messages")), false));
                assertTrue(e.getMessage().endsWith("the template raised: " + expected.get("refuses").get("error")
                        .asText()), e.getMessage());
            }
            for (int i = 0; i < convs.size(); i++) {
                JsonNode e = expected.get("conversations").get(i);
                assertEquals(e.get("text").asText(), t.render(convs.get(i), false), model + " conversation " + i);
                assertEquals(e.get("with_generation_prompt").asText(), t.render(convs.get(i), true),
                        model + " conversation " + i + " with the generation prompt");
            }
            for (JsonNode p : expected.get("prompts")) {
                List<ChatMessage> msgs = messages(p.get("messages"));
                assertEquals(p.get("text").asText(), t.render(msgs, true), model + " prompt");
                assertEquals(p.get("text_no_thinking").asText(), t.render(msgs, true, Map.of("enable_thinking", false)),
                        model + " prompt, enable_thinking=False");
            }
        }
    }

    @Test
    void theSandboxRefusesChangesAndUnknownMethodsAsJinja2Does() {
        List<ChatMessage> msgs = List.of(new ChatMessage("user", "hi"));
        for (String[] c : new String[][] {
                {"{{ messages.append(1) }}", "access to attribute 'append' of 'list' object is unsafe."},
                {"{% set m = messages[0] %}{{ m.update({'role': 'x'}) }}",
                        "access to attribute 'update' of 'dict' object is unsafe."},
                {"{{ messages.clear() }}", "access to attribute 'clear' of 'list' object is unsafe."},
                {"{{ 'x'.toUpperCase() }}", "'str' object has no attribute 'toUpperCase'"},
                {"{{ messages[0].getClass() }}", "'dict' object has no attribute 'getClass'"},
                {"{{ 'abc'[5] }}", "string index out of range"}}) {
            var e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.of(c[0], Map.of(), "t.jinja")
                    .render(msgs, false), c[0]);
            assertTrue(e.getMessage().startsWith("t.jinja: ") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void anUnclosedTagIsRefusedNotPrintedAsText() {
        for (String[] c : new String[][] {{"a\n{{ x }", "line 2: '{{' is never closed by '}}'"},
                {"{% if x %}", null}, {"{% if x %", "line 1: '{%' is never closed by '%}'"},
                {"x{# note", "line 1: '{#' is never closed by '#}'"}}) {
            var e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.of(c[0], Map.of(), "t.jinja")
                    .render(List.of(new ChatMessage("user", "hi")), false), c[0]);
            assertTrue(e.getMessage().startsWith("t.jinja: ") && (c[1] == null || e.getMessage().endsWith(c[1])),
                    e.getMessage());
        }
    }

    @Test
    void aBrokenTemplateNamesItsFile() {
        for (String broken : List.of("{% for m in messages %}{{ m.content }", "{% for m in messages %}{{ m }}")) {
            var e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.of(broken, Map.of(),
                    "/x/tokenizer_config.json").render(List.of(new ChatMessage("user", "hi")), false), broken);
            assertTrue(e.getMessage().startsWith("/x/tokenizer_config.json: "), e.getMessage());
        }
    }

    @Test
    void aFolderWithoutATemplateSaysWhereItLooked(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertTrue(ChatTemplate.find(dir).isEmpty());
        var e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.fromModel(dir));
        assertTrue(e.getMessage().contains("chat_template.jinja"), e.getMessage());
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ eos_token }}|{% for m in messages %}{{ m.role }}"
                + "{% endfor %}");
        assertEquals("</s>|user", ChatTemplate.fromModel(dir).render(List.of(new ChatMessage("user", "x")), false));
    }
}
