package org.wegeft.llm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wegeft.llm.chat.ChatMessage;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.nn.data.ArrowWriter;

class DataFilesTest {
    @TempDir
    Path dir;

    @Test
    void readsEachRecordShapeAndSkipsBlankLines() throws IOException {
        Path f = dir.resolve("d.jsonl");
        Files.writeString(f, """
                {"text": "In the beginning"}

                {"input_ids": [5, 6, 7], "labels": [-100, 6, 7]}
                {"input_ids": [1, 2]}
                {"instruction": "Add 2 and 3.", "output": "5"}
                {"instruction": "Translate", "input": "Haus", "output": "house", "extra": 1}
                """);
        List<DataRecord> r = DataFiles.read(f);
        assertEquals(5, r.size());
        assertEquals(new DataRecord.Text("In the beginning"), r.get(0));
        assertEquals(new DataRecord.TokenIds(new int[] {5, 6, 7}, new int[] {-100, 6, 7}), r.get(1));
        assertEquals(new DataRecord.TokenIds(new int[] {1, 2}, null), r.get(2));
        assertEquals(new DataRecord.Instruction("Add 2 and 3.", "", "5"), r.get(3));
        assertEquals(new DataRecord.Instruction("Translate", "Haus", "house"), r.get(4));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"text\": 3}                                    | field 'text' must be a string",
        "{\"text\": \"ok\"                                | not valid JSON",
        "[1, 2]                                          | expected a JSON object",
        "{\"instruction\": \"x\"}                         | missing field 'output'",
        "{\"output\": \"x\"}                              | missing field 'instruction'",
        "{\"instruction\": \"x\", \"input\": 1, \"output\": \"y\"} | field 'input' must be a string",
        "{\"input_ids\": [1, \"a\"]}                      | field 'input_ids'[1]",
        "{\"input_ids\": [1, -100]}                       | field 'input_ids'[1]",
        "{\"input_ids\": []}                              | field 'input_ids' is empty",
        "{\"input_ids\": [1, 2], \"labels\": [1]}         | field 'labels' has 1 entries",
        "{\"prompt\": \"x\"}                              | missing field 'completion'",
        "{\"prompt\": \"x\", \"completion\": [{\"role\": \"assistant\", \"content\": \"y\"}]} | so 'prompt' must be one too",
        "{\"messages\": []}                             | field 'messages' must be a non-empty list",
        "{\"messages\": [\"hi\"]}                         | field 'messages'[0] must be an object",
        "{\"messages\": [{\"role\": \"user\"}]}             | field 'messages'[0].content must be a string, got nothing",
        "{\"messages\": [{\"role\": 1, \"content\": \"x\"}]} | field 'messages'[0].role must be a string, got number",
        "{\"other\": 1}                                  | got fields [other]",
    })
    void badRecordsNameFileAndLine(String line, String expected) throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"text\": \"fine\"}\n\n" + line + "\n");
        var e = assertThrows(DataFormatException.class, () -> DataFiles.read(f));
        assertTrue(e.getMessage().startsWith(f + ":3: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    void readsChatAndPromptCompletionRecords() throws IOException {
        Path f = dir.resolve("chat.jsonl");
        Files.writeString(f, """
                {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hé", "reasoning_content": "r"}]}
                {"prompt": "2 + 2 =", "completion": " 4"}
                {"prompt": [{"role": "user", "content": "Q"}], "completion": [{"role": "assistant", "content": "A"}]}
                """);
        List<DataRecord> r = DataFiles.read(f);
        assertEquals(DataRecord.Chat.of(List.of(new ChatMessage("user", "Hi"),
                new ChatMessage("assistant", "Hé", java.util.Map.of("reasoning_content", "r")))), r.get(0));
        assertEquals(new DataRecord.PromptCompletion("2 + 2 =", " 4"), r.get(1));
        assertEquals(new DataRecord.Chat(List.of(new ChatMessage("user", "Q"), new ChatMessage("assistant", "A")), 1),
                r.get(2));
    }

    @Test
    void aJsonArrayReadsAsTheSameRecordsAsJsonLines() throws IOException {
        Path lines = dir.resolve("alpaca.jsonl");
        Files.writeString(lines, """
                {"instruction": "Give three tips for staying healthy.", "input": "", "output": "Eat well. Sleep. Move."}
                {"instruction": "Translate", "input": "Haus", "output": "house"}
                {"text": "Grüße, 😀"}
                """);
        Path array = dir.resolve("alpaca_data.json");
        Files.writeString(array, """
                \uFEFF[
                    {
                        "instruction": "Give three tips for staying healthy.",
                        "input": "",
                        "output": "Eat well. Sleep. Move."
                    },
                    {"instruction": "Translate", "input": "Haus", "output": "house"},
                    {"text": "Grüße, 😀"}
                ]
                """);
        assertEquals(DataFiles.read(lines), DataFiles.read(array));
        Path linesAsJson = dir.resolve("lines.json");
        Files.copy(lines, linesAsJson);
        assertEquals(DataFiles.read(lines), DataFiles.read(linesAsJson), "a .json file of JSON Lines reads too");
    }

    @Test
    void aBadRecordInAJsonArrayNamesItsLine() throws IOException {
        Path array = dir.resolve("bad.json");
        Files.writeString(array, "[\n  {\"text\": \"ok\"},\n  42,\n  {\"text\": \"x\"}\n]\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataFiles.read(array));
        assertTrue(e.getMessage().contains("bad.json:3:") && e.getMessage().contains("expected a JSON object"),
                e.getMessage());
        Path open = dir.resolve("open.json");
        Files.writeString(open, "[{\"text\": \"ok\"},\n");
        DataFormatException f = assertThrows(DataFormatException.class, () -> DataFiles.read(open));
        assertTrue(f.getMessage().contains("open.json"), f.getMessage());
    }

    @Test
    void aSaveToDiskFolderOfTextShardsReadsInShardOrder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("corpus"));
        new ArrowWriter().strings("text", List.of("one", "two")).write(folder.resolve("data-00000-of-00002.arrow"),
                ArrowWriter.Format.STREAM);
        new ArrowWriter().strings("text", List.of("three")).write(folder.resolve("data-00001-of-00002.arrow"),
                ArrowWriter.Format.STREAM);
        Files.writeString(folder.resolve("state.json"), "{\"_data_files\": [{\"filename\": "
                + "\"data-00000-of-00002.arrow\"}, {\"filename\": \"data-00001-of-00002.arrow\"}]}");
        assertEquals(List.of(new DataRecord.Text("one"), new DataRecord.Text("two"), new DataRecord.Text("three")),
                DataFiles.read(folder));
    }

    @Test
    void missingFileAndUnknownExtensionAreReported() {
        var e = assertThrows(UncheckedIOException.class, () -> DataFiles.read(dir.resolve("none.jsonl")));
        assertTrue(e.getMessage().contains("none.jsonl"), e.getMessage());
        var f = assertThrows(DataFormatException.class, () -> DataFiles.read(dir.resolve("x.csv")));
        assertTrue(f.getMessage().contains("x.csv"), f.getMessage());
    }

    @Test
    void readsArrowInstructionAndTextColumns() {
        Path a = dir.resolve("alpaca.arrow");
        new ArrowWriter().strings("instruction", List.of("Add", "Say hi"))
                .strings("input", List.of("1 2", ""))
                .strings("output", List.of("3", "hi")).write(a, ArrowWriter.Format.STREAM);
        assertEquals(List.of(new DataRecord.Instruction("Add", "1 2", "3"), new DataRecord.Instruction("Say hi", "", "hi")),
                DataFiles.read(a));
        Path t = dir.resolve("text.arrow");
        new ArrowWriter().strings("text", List.of("a", "b c")).write(t, ArrowWriter.Format.FILE);
        assertEquals(List.of(new DataRecord.Text("a"), new DataRecord.Text("b c")), DataFiles.read(t));
        Path bad = dir.resolve("bad.arrow");
        new ArrowWriter().strings("question", List.of("a")).write(bad, ArrowWriter.Format.FILE);
        var e = assertThrows(DataFormatException.class, () -> DataFiles.read(bad));
        assertTrue(e.getMessage().contains("bad.arrow") && e.getMessage().contains("'text'"), e.getMessage());
    }

    @Test
    void tokenIdsAreCopiedDefensively() {
        int[] ids = {1, 2, 3};
        var r = new DataRecord.TokenIds(ids, null);
        ids[0] = 9;
        assertArrayEquals(new int[] {1, 2, 3}, r.ids());
    }
}
