package org.wegeft.llm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.nn.data.ArrowWriter;
import org.wegeft.nn.data.DatasetException;
import org.wegeft.nn.train.TrainConfig;
import org.wegeft.nn.train.Trainer;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;

/**
 * The same records, written by DuckDB as JSON Lines, a JSON array and Parquet (one file, and a folder of two
 * shards; tools/fixtures/make_parquet_fixtures.sh), and by our ArrowWriter as a two-shard {@code save_to_disk}
 * folder, read as equal {@link DataRecord} lists and train to bit-identical losses.
 */
class TableRecordsTest {
    static final Path RECORDS = Path.of("src/test/resources/fixtures/records");
    /** The demo model's folder, for its tokenizer's chat template. */
    static final Path KJV_MODEL = Path.of("../examples/models/llama-kjv");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"chat", "instruct", "prompt-completion", "prompt-completion-chat"})
    void everyFormatGivesTheSameRecords(String name) throws IOException {
        List<DataRecord> jsonl = DataFiles.read(RECORDS.resolve(name + ".jsonl"));
        assertTrue(jsonl.size() >= 2, name + ": " + jsonl);
        assertEquals(jsonl, DataFiles.read(RECORDS.resolve(name + ".json")), "JSON array");
        assertEquals(jsonl, DataFiles.read(RECORDS.resolve(name + ".parquet")), "Parquet");
        assertEquals(jsonl, DataFiles.read(saveToDisk(jsonl, name)), "save_to_disk folder");
    }

    @Test
    void chatRecordsKeepTurnsAndNonAsciiText() {
        List<DataRecord> chat = DataFiles.read(RECORDS.resolve("chat.parquet"));
        assertEquals(4, chat.size());
        var first = (DataRecord.Chat) chat.getFirst();
        assertEquals(List.of("system", "user", "assistant"), first.messages().stream().map(ChatMessage::role).toList());
        assertEquals("Voilà votre café ☕.", first.messages().get(2).content());
        var second = (DataRecord.Chat) chat.get(1);
        assertEquals(4, second.messages().size());
        assertEquals("你好，今天天气怎么样？", second.messages().getFirst().content());
        assertEquals("Thanks 😀", second.messages().get(2).content());
        var pc = (DataRecord.Chat) DataFiles.read(RECORDS.resolve("prompt-completion-chat.parquet")).getFirst();
        assertEquals(2, pc.completionStart(), "the prompt's two messages are not labels");
    }

    @Test
    void aFolderOrGlobOfParquetShardsReadsAsOneFile() {
        List<DataRecord> whole = DataFiles.read(RECORDS.resolve("instruct.jsonl"));
        assertEquals(whole, DataFiles.read(RECORDS.resolve("instruct-shards")));
        assertEquals(whole, DataFiles.read(RECORDS.resolve("instruct-shards/train-*.parquet")));
        assertEquals(new DataRecord.Instruction("Give three tips for staying healthy.", "",
                "Eat well, sleep enough, move every day."), whole.getFirst(), "a null input reads as empty");
    }

    @Test
    void columnNamesCanBeMappedInEveryFormat() {
        List<DataRecord> chat = DataFiles.read(RECORDS.resolve("chat.jsonl"));
        DataColumns conversation = new DataColumns("conversation", "text");
        for (String ext : List.of("jsonl", "json", "parquet")) {
            assertEquals(chat, DataFiles.read(RECORDS.resolve("chat-renamed." + ext), conversation), ext);
        }
        DataColumns body = new DataColumns("messages", "body");
        List<DataRecord> text = DataFiles.read(RECORDS.resolve("text-renamed.parquet"), body);
        assertEquals(new DataRecord.Text("Translate to French. café"), text.get(1));
        assertEquals(text, DataFiles.read(RECORDS.resolve("text-renamed.jsonl"), body));
        var e = assertThrows(DataFormatException.class, () -> DataFiles.read(RECORDS.resolve("text-renamed.parquet")));
        assertTrue(e.getMessage().contains("text-renamed.parquet") && e.getMessage().contains("'text'")
                && e.getMessage().contains("[body, id]"), e.getMessage());
    }

    @Test
    void badTablesRaiseTypedExceptionsNamingTheFile() throws IOException {
        // an integer column where text is expected
        var wrongType = assertThrows(DatasetException.class, () -> DataFiles.read(RECORDS.resolve(
                "text-renamed.parquet"), new DataColumns("messages", "id")));
        assertEquals("id", wrongType.column());
        assertTrue(wrongType.getMessage().contains("text-renamed.parquet") && wrongType.getMessage()
                .contains("expected a string column"), wrongType.getMessage());
        // a string column where a message list is expected
        var notMessages = assertThrows(DatasetException.class, () -> DataFiles.read(RECORDS.resolve(
                "text-renamed.parquet"), new DataColumns("body", "text")));
        assertTrue(notMessages.getMessage().contains("'body'") && notMessages.getMessage().contains("message list"),
                notMessages.getMessage());
        // a shard missing from the series
        Path shards = Files.createDirectories(dir.resolve("shards"));
        Files.copy(RECORDS.resolve("instruct-shards/train-00001-of-00002.parquet"),
                shards.resolve("train-00001-of-00002.parquet"));
        var missing = assertThrows(DatasetException.class, () -> DataFiles.read(shards));
        assertTrue(missing.getMessage().contains("train-00000-of-00002") && missing.getMessage().contains("missing"),
                missing.getMessage());
        // a truncated file
        byte[] good = Files.readAllBytes(RECORDS.resolve("chat.parquet"));
        Path cut = dir.resolve("cut.parquet");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 20));
        var corrupt = assertThrows(DatasetException.class, () -> DataFiles.read(cut));
        assertTrue(corrupt.getMessage().contains("cut.parquet"), corrupt.getMessage());
    }

    /**
     * Instruction and chat records from each source train a tiny LLaMA with WeGeFT to the same losses, bit for bit
     * (chat records through the KJV model's chat template, labels on the assistant turns).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"instruct", "chat", "prompt-completion-chat"})
    void trainingLossesAreIdenticalFromEverySource(String name) throws IOException {
        List<DataRecord> jsonl = DataFiles.read(RECORDS.resolve(name + ".jsonl"));
        Map<String, Path> sources = new LinkedHashMap<>();
        sources.put("jsonl", RECORDS.resolve(name + ".jsonl"));
        sources.put("json", RECORDS.resolve(name + ".json"));
        sources.put("parquet", RECORDS.resolve(name + ".parquet"));
        if (Files.isDirectory(RECORDS.resolve(name + "-shards"))) {
            sources.put("parquet shards", RECORDS.resolve(name + "-shards"));
        }
        sources.put("save_to_disk", saveToDisk(jsonl, name));
        float[] expected = null;
        try (HfTokenizer tok = HfTokenizer.load(Path.of("src/test/resources/tokenizer/kjv"))) {
            ExampleEncoder enc = ExampleEncoder.of(tok, 160).withChatTemplate(ChatTemplate.fromModel(KJV_MODEL));
            for (var e : sources.entrySet()) {
                float[] losses = train(DataFiles.read(e.getValue()), tok, enc);
                System.out.println(name + " losses from " + e.getKey() + ": " + java.util.Arrays.toString(losses));
                if (expected == null) {
                    expected = losses;
                    assertEquals(4, losses.length);
                } else {
                    assertArrayEquals(expected, losses, e.getKey());
                }
            }
        }
    }

    private static float[] train(List<DataRecord> records, HfTokenizer tok, ExampleEncoder enc) {
        try (CausalLM lm = new CausalLM(DecoderConfig.tiny(4000, 32, 64, 2, 4, 2), 7)) {
            var source = CausalLmTraining.batches(records, enc, false, 2, tok.specialTokens().padOrFallback());
            FineTuningMethod m = FineTuningMethods.named("wegeft");
            m.apply(lm, CausalLmTraining.options(m, 4, null, 0.0, CausalLmTraining.DEFAULT_TARGETS, true), 3);
            var cfg = TrainConfig.steps(4, 1e-2).withSeed(3).withLogEvery(0);
            return new Trainer<>(lm, cfg, CausalLmTraining.objective(), source).run().losses();
        }
    }

    /** {@code records} as a {@code save_to_disk} folder of two Arrow stream shards, columns as HF names them. */
    private Path saveToDisk(List<DataRecord> records, String name) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name + "-saved"));
        int half = records.size() / 2;
        List<List<DataRecord>> parts = List.of(records.subList(0, half), records.subList(half, records.size()));
        StringBuilder state = new StringBuilder("{\"_data_files\": [");
        for (int s = 0; s < 2; s++) {
            String file = "data-0000" + s + "-of-00002.arrow";
            columns(parts.get(s)).write(folder.resolve(file), ArrowWriter.Format.STREAM);
            state.append(s == 0 ? "" : ", ").append("{\"filename\": \"").append(file).append("\"}");
        }
        Files.writeString(folder.resolve("state.json"), state + "], \"_split\": \"train\"}");
        return folder;
    }

    private static ArrowWriter columns(List<DataRecord> rs) {
        ArrowWriter w = new ArrowWriter();
        return switch (rs.getFirst()) {
            case DataRecord.Instruction i -> w.strings("instruction", map(rs, r -> ((DataRecord.Instruction) r)
                    .instruction())).strings("input", map(rs, r -> ((DataRecord.Instruction) r).input()))
                    .strings("output", map(rs, r -> ((DataRecord.Instruction) r).output()));
            case DataRecord.PromptCompletion p -> w.strings("prompt", map(rs, r -> ((DataRecord.PromptCompletion) r)
                    .prompt())).strings("completion", map(rs, r -> ((DataRecord.PromptCompletion) r).completion()));
            case DataRecord.Chat c when c.completionStart() == 0 -> w.messages("messages", map(rs,
                    r -> asMaps(((DataRecord.Chat) r).messages())));
            case DataRecord.Chat c -> w.messages("prompt", map(rs, r -> asMaps(((DataRecord.Chat) r).messages()
                    .subList(0, ((DataRecord.Chat) r).completionStart())))).messages("completion", map(rs,
                    r -> asMaps(((DataRecord.Chat) r).messages().subList(((DataRecord.Chat) r).completionStart(),
                            ((DataRecord.Chat) r).messages().size()))));
            default -> throw new IllegalArgumentException("no columns for " + rs.getFirst());
        };
    }

    private static <T> List<T> map(List<DataRecord> rs, java.util.function.Function<DataRecord, T> f) {
        return rs.stream().map(f).toList();
    }

    private static List<Map<String, String>> asMaps(List<ChatMessage> messages) {
        List<Map<String, String>> out = new ArrayList<>();
        for (ChatMessage m : messages) {
            out.add(Map.of("role", m.role(), "content", m.content()));
        }
        return out;
    }
}
