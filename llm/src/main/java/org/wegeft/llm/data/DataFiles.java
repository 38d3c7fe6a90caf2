package org.wegeft.llm.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.ColumnSpec;
import org.wegeft.nn.data.DataPaths;
import org.wegeft.nn.data.DatasetException;

/**
 * Reads the records of a data file: JSON Lines ({@code .jsonl}, or {@code .json}; one object per line, blank lines
 * skipped), a JSON array of records ({@code .json}, as the original {@code alpaca_data.json}), or a table: an
 * Arrow IPC file ({@code .arrow}), a {@code save_to_disk} folder, a Parquet file, or a glob or folder of Parquet
 * shards (the Hugging Face Hub's {@code data/train-*.parquet}), read by the same rules from its columns.
 * A record is chosen by its fields: {@code input_ids} (optional {@code labels}), else {@code messages} (a list of
 * {@code {"role", "content"}} objects), else TRL's {@code prompt} + {@code completion} (two strings, or two message
 * lists), else {@code text}, else {@code instruction} + {@code output} (optional {@code input}).
 */
public final class DataFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DataFiles() {
    }

    /**
     * All records of {@code file}.
     *
     * @throws DataFormatException naming the file and line for a bad line, missing field or wrong type
     * @throws UncheckedIOException when the file cannot be read
     */
    public static List<DataRecord> read(Path file) {
        return read(file, DataColumns.DEFAULT);
    }

    /**
     * All records of {@code file}, with the conversation and text under the names {@code columns} gives.
     *
     * @throws DataFormatException naming the file and line (or row) for a bad record, missing field or wrong type
     * @throws DatasetException naming the file and column for a table that cannot be read (a corrupt file, a
     *         column of the wrong type, a missing shard)
     * @throws UncheckedIOException when the file cannot be read
     */
    public static List<DataRecord> read(Path file, DataColumns columns) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (DataPaths.isTable(file)) {
            return TableRecords.read(file, columns);
        }
        if (name.endsWith(".json") && startsWithArray(file)) {
            return readJsonArray(file, columns);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return readJsonl(file, columns);
        }
        throw new DataFormatException(file, "unknown data format (expected .jsonl, .json, .arrow, .parquet, a glob or"
                + " a folder)", null);
    }

    static List<DataRecord> readJsonl(Path file, DataColumns columns) {
        List<DataRecord> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (!line.isBlank()) {
                    out.add(parse(file, n, line, columns));
                }
            }
        } catch (IOException e) {
            throw readFailure(file, e);
        }
        return out;
    }

    /** What an I/O failure reading {@code file} means: the file is absent, not UTF-8, or unreadable. */
    private static RuntimeException readFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new UncheckedIOException(file + ": file not found", e);
        }
        if (e instanceof CharacterCodingException) {
            return new DataFormatException(file, "not valid UTF-8", e);
        }
        return new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }

    /** Whether the first character of {@code file} that is not white space opens a JSON array. */
    private static boolean startsWithArray(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int c;
            while ((c = r.read()) >= 0) {
                if (!Character.isWhitespace(c) && c != '\uFEFF') {
                    return c == '[';
                }
            }
            return false;
        } catch (IOException e) {
            throw readFailure(file, e);
        }
    }

    /**
     * A {@code .json} file holding one array of records (the original {@code alpaca_data.json}'s layout); errors
     * name the line where the bad record starts.
     */
    static List<DataRecord> readJsonArray(Path file, DataColumns columns) {
        List<DataRecord> out = new ArrayList<>();
        try (JsonParser p = JSON.getFactory().createParser(withoutBom(file))) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new DataFormatException(file, 1, "expected a JSON array of records");
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new DataFormatException(file, p.currentLocation().getLineNr(), "the array is not closed");
                }
                long line = p.currentLocation().getLineNr();
                JsonNode o = JSON.readTree(p);
                out.add(parse(file, line, o, o == null ? "null" : shortText(o.toString()), columns));
            }
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new DataFormatException(file, line, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw readFailure(file, e);
        }
        return out;
    }

    /** A reader of {@code file} past a leading byte-order mark, which Windows editors write. */
    private static BufferedReader withoutBom(Path file) throws IOException {
        BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        r.mark(1);
        if (r.read() != '\uFEFF') {
            r.reset();
        }
        return r;
    }

    /** One JSONL line as a record. */
    public static DataRecord parse(Path file, long lineNo, String line) {
        return parse(file, lineNo, line, DataColumns.DEFAULT);
    }

    /** One JSONL line as a record, with the conversation and text under the names {@code columns} gives. */
    public static DataRecord parse(Path file, long lineNo, String line, DataColumns columns) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, lineNo, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        return parse(file, lineNo, o, shortText(line), columns);
    }

    private static DataRecord parse(Path file, long lineNo, @Nullable JsonNode o, String text, DataColumns columns) {
        if (o == null || !o.isObject()) {
            throw new DataFormatException(file, lineNo, "expected a JSON object, got " + text);
        }
        DataColumns.Shape shape = columns.shape(o::has);
        if (shape != null) {
            return switch (shape) {
                case TOKEN_IDS -> tokenIds(file, lineNo, o);
                case MESSAGES -> DataRecord.Chat.of(messages(file, lineNo, o, columns.messages()));
                case PROMPT_COMPLETION -> promptCompletion(file, lineNo, o);
                case TEXT -> new DataRecord.Text(string(file, lineNo, o, columns.text(), false));
                case INSTRUCTION -> new DataRecord.Instruction(string(file, lineNo, o, "instruction", false),
                        string(file, lineNo, o, "input", true), string(file, lineNo, o, "output", false));
            };
        }
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        throw new DataFormatException(file, lineNo, "expected field 'input_ids', '" + columns.messages() + "', 'prompt'"
                + " + 'completion', '" + columns.text() + "' or 'instruction' + 'output', got fields " + keys);
    }

    private static DataRecord tokenIds(Path file, long lineNo, JsonNode o) {
        int[] ids = ints(file, lineNo, o, "input_ids", false);
        if (ids.length == 0) {
            throw new DataFormatException(file, lineNo, "field 'input_ids' is empty");
        }
        int[] labels = o.hasNonNull("labels") ? ints(file, lineNo, o, "labels", true) : null;
        if (labels != null && labels.length != ids.length) {
            throw new DataFormatException(file, lineNo, "field 'labels' has " + labels.length + " entries,"
                    + " 'input_ids' " + ids.length);
        }
        return new DataRecord.TokenIds(ids, labels);
    }

    /** TRL's prompt–completion record: two strings, or two message lists. */
    private static DataRecord promptCompletion(Path file, long lineNo, JsonNode o) {
        JsonNode p = o.get("prompt");
        if (p != null && p.isArray()) {
            List<ChatMessage> prompt = messages(file, lineNo, o, "prompt");
            List<ChatMessage> all = new ArrayList<>(prompt);
            all.addAll(messages(file, lineNo, o, "completion"));
            return new DataRecord.Chat(all, prompt.size());
        }
        JsonNode c = o.get("completion");
        if (c != null && c.isArray()) {
            throw new DataFormatException(file, lineNo, "field 'completion' is a message list, so 'prompt' must be one"
                    + " too");
        }
        return new DataRecord.PromptCompletion(string(file, lineNo, o, "prompt", false),
                string(file, lineNo, o, "completion", false));
    }

    /** A list of {@code {"role", "content", …}} objects under {@code key}. */
    private static List<ChatMessage> messages(Path file, long lineNo, JsonNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new DataFormatException(file, lineNo, "field '" + key + "' must be a non-empty list of messages");
        }
        List<ChatMessage> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode m = v.get(i);
            String where = key + "'[" + i + "]";
            if (!m.isObject()) {
                throw new DataFormatException(file, lineNo, "field '" + where + " must be an object with 'role' and"
                        + " 'content'");
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            m.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("role") && !f.getKey().equals("content")) {
                    extra.put(f.getKey(), JSON.convertValue(f.getValue(), Object.class));
                }
            });
            out.add(new ChatMessage(messageString(file, lineNo, m, where, "role"),
                    messageString(file, lineNo, m, where, "content"), extra));
        }
        return out;
    }

    private static String messageString(Path file, long lineNo, JsonNode m, String where, String field) {
        JsonNode v = m.get(field);
        if (v == null || !v.isTextual()) {
            throw new DataFormatException(file, lineNo, "field '" + where + "." + field + " must be a string, got "
                    + (v == null ? "nothing" : v.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        return v.asText();
    }

    private static String string(Path file, long lineNo, JsonNode o, String key, boolean optional) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            if (optional) {
                return "";
            }
            throw new DataFormatException(file, lineNo, "missing field '" + key + "'");
        }
        if (!v.isTextual()) {
            throw new DataFormatException(file, lineNo, "field '" + key + "' must be a string, got "
                    + v.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return v.asText();
    }

    private static int[] ints(Path file, long lineNo, JsonNode o, String key, boolean allowIgnore) {
        JsonNode v = o.get(key);
        if (!v.isArray()) {
            throw new DataFormatException(file, lineNo, "field '" + key + "' must be an array of integers");
        }
        int[] r = new int[v.size()];
        for (int i = 0; i < r.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || (e.intValue() < 0
                    && !(allowIgnore && e.intValue() == Example.IGNORE))) {
                throw new DataFormatException(file, lineNo, "field '" + key + "'[" + i + "]: expected a token id"
                        + (allowIgnore ? " or -100" : "") + ", got " + e);
            }
            r[i] = e.intValue();
        }
        return r;
    }

    private static String shortText(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
