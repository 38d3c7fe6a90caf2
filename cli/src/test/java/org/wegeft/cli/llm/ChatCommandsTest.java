package org.wegeft.cli.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.cli.CliRun;
import org.wegeft.llm.testing.RealTokenizers;
import org.wegeft.llm.tokenizer.HfTokenizer;

/**
 * The chat path of the commands with the real Llama-3 and Qwen3 tokenizer files, against
 * tools/fixtures/make_chat_fixtures.py: {@code llm tokenize} ids and labels, {@code llm perplexity} over the assistant
 * tokens against PyTorch's NLL, and {@code llm generate --chat}'s prompt.
 */
class ChatCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = ChatCommandsTest.class.getResourceAsStream("/fixtures/chat/" + resource)) {
            assertTrue(in != null, "missing fixture " + resource);
            Files.copy(in, to);
        }
    }

    /** A model folder: the tiny model at the tokenizer's vocabulary, with the real tokenizer files. */
    private Path model(String name) throws IOException {
        Path m = Files.createDirectories(dir.resolve(name));
        copy("tiny_" + name + "/config.json", m.resolve("config.json"));
        copy("tiny_" + name + "/model.safetensors", m.resolve("model.safetensors"));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(RealTokenizers.folder(name).resolve(f), m.resolve(f));
        }
        return m;
    }

    private JsonNode fixture(String resource) throws IOException {
        try (InputStream in = ChatCommandsTest.class.getResourceAsStream("/fixtures/chat/" + resource)) {
            return JSON.readTree(in);
        }
    }

    @Test
    void tokenizePrintsTheReferenceIdsAndAssistantLabels() throws IOException {
        Path data = dir.resolve("conversations.jsonl");
        copy("conversations.jsonl", data);
        JsonNode rendered = fixture("rendered.json");
        for (String name : (Iterable<String>) rendered::fieldNames) {
            Path tok = RealTokenizers.folder(name);
            var r = CliRun.run("llm", "tokenize", "--model", tok.toString(), "--data", data.toString());
            assertEquals(0, r.status(), r.err());
            List<String> lines = r.out().lines().toList();
            JsonNode convs = rendered.get(name).get("conversations");
            assertEquals(convs.size(), lines.size());
            for (int i = 0; i < lines.size(); i++) {
                JsonNode line = JSON.readTree(lines.get(i));
                assertEquals(convs.get(i).get("input_ids"), line.get("input_ids"), name + " record " + i);
                assertEquals(convs.get(i).get("labels"), line.get("labels"), name + " record " + i);
            }
            var all = CliRun.run("llm", "tokenize", "--model", tok.toString(), "--data", data.toString(),
                    "--train-on", "all");
            JsonNode first = JSON.readTree(all.out().lines().findFirst().orElseThrow());
            assertEquals(first.get("input_ids"), first.get("labels"), "--train-on all labels every token");
        }
    }

    @Test
    void perplexityOnChatDataIsTheNllOverAssistantTokens() throws IOException {
        Path data = dir.resolve("conversations.jsonl");
        copy("conversations.jsonl", data);
        for (String name : List.of("llama3", "qwen3")) {
            JsonNode expected = fixture("tiny_" + name + "/expected.json");
            var r = CliRun.run("llm", "perplexity", "--model", model(name).toString(), "--data", data.toString());
            assertEquals(0, r.status(), r.err());
            JsonNode out = JSON.readTree(r.out());
            assertEquals(expected.get("tokens").asInt(), out.get("tokens").asInt(), name);
            assertEquals(expected.get("nll").asDouble(), out.get("nll").asDouble(), 1e-4, name + ": " + r.out());
        }
    }

    @Test
    void aConversationTheTemplateRefusesNamesTheFileAndRecord() throws IOException {
        Path data = dir.resolve("bad.jsonl");
        Files.writeString(data, """
                {"messages": [{"role": "user", "content": "one"}, {"role": "assistant", "content": "two"}]}
                {"messages": [{"role": "user", "content": "one"}, {"role": "tool", "content": "{}"}]}
                """);
        var r = CliRun.run("llm", "tokenize", "--model", "../examples/models/llama-kjv", "--data", data.toString());
        assertEquals(2, r.status());
        assertEquals("", r.out(), "nothing is printed before every record is encoded");
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains(data + ": record 2: ") && r.err().contains("tokenizer_config.json: the template"
                + " raised: Only system, user and assistant roles are supported"), r.err());
    }

    @Test
    void generateChatStartsFromTheRenderedPrompt() throws IOException {
        JsonNode prompt = fixture("rendered.json").get("qwen3").get("prompts").get(1);
        Path m = model("qwen3");
        var r = CliRun.run("llm", "generate", "--model", m.toString(), "--chat", "--system",
                prompt.get("messages").get(0).get("content").asText(), "--prompt",
                prompt.get("messages").get(1).get("content").asText(), "--max-new-tokens", "3", "--greedy");
        assertEquals(0, r.status(), r.err());
        int expectedTokens;
        try (HfTokenizer tok = HfTokenizer.load(m)) {
            expectedTokens = tok.encode(prompt.get("text").asText(), false).length;
        }
        assertTrue(r.err().contains("generate: " + expectedTokens + " prompt tokens"), r.err());
        var noChat = CliRun.run("llm", "generate", "--model", m.toString(), "--system", "x", "--prompt", "y");
        assertEquals(2, noChat.status());
        assertTrue(noChat.err().contains("--system needs --chat"), noChat.err());
    }
}
