package org.wegeft.llm.data;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.List;
import java.util.Locale;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.ColumnSpec;
import org.wegeft.nn.data.DatasetException;

/**
 * Reads the records of a data file: JSON Lines ({@code .jsonl}, one object per line, blank lines skipped) or an
 * Arrow IPC file ({@code .arrow}, string columns {@code instruction}/{@code input}/{@code output} or {@code text}).
 * A record is chosen by its fields: {@code input_ids} (optional {@code labels}), else {@code text}, else
 * {@code instruction} + {@code output} (optional {@code input}).
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
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".arrow")) {
            return readArrow(file);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return readJsonl(file);
        }
        throw new DataFormatException(file, "unknown data format (expected .jsonl or .arrow)", null);
    }

    static List<DataRecord> readJsonl(Path file) {
        List<DataRecord> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (!line.isBlank()) {
                    out.add(parse(file, n, line));
                }
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException(file + ": file not found", e);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "not valid UTF-8", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    /** One JSONL line as a record. */
    public static DataRecord parse(Path file, long lineNo, String line) {
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, lineNo, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new DataFormatException(file, lineNo, "expected a JSON object, got " + shortText(line));
        }
        if (o.has("input_ids")) {
            int[] ids = ints(file, lineNo, o, "input_ids", false);
            if (ids.length == 0) {
                throw new DataFormatException(file, lineNo, "field 'input_ids' is empty");
            }
            int[] labels = o.hasNonNull("labels") ? ints(file, lineNo, o, "labels", true) : null;
            if (labels != null && labels.length != ids.length) {
                throw new DataFormatException(file, lineNo, "field 'labels' has " + labels.length
                        + " entries, 'input_ids' " + ids.length);
            }
            return new DataRecord.TokenIds(ids, labels);
        }
        if (o.has("text")) {
            return new DataRecord.Text(string(file, lineNo, o, "text", false));
        }
        if (o.has("instruction") || o.has("output")) {
            return new DataRecord.Instruction(string(file, lineNo, o, "instruction", false),
                    string(file, lineNo, o, "input", true), string(file, lineNo, o, "output", false));
        }
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        throw new DataFormatException(file, lineNo, "expected field 'input_ids', 'text' or 'instruction' + 'output',"
                + " got fields " + keys);
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

    static List<DataRecord> readArrow(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(file + ": file not found", new NoSuchFileException(file.toString()));
        }
        DatasetException last = null;
        for (List<String> cols : List.of(List.of("instruction", "input", "output"), List.of("instruction", "output"),
                List.of("text"))) {
            ArrowDataset ds;
            try {
                ds = ArrowDataset.open(file, cols.stream().map(ColumnSpec::string).toList());
            } catch (DatasetException e) {
                last = e;
                continue;
            }
            List<DataRecord> out = new ArrayList<>(ds.size());
            for (int r = 0; r < ds.size(); r++) {
                out.add(cols.size() == 1 ? new DataRecord.Text(ds.string("text", r))
                        : new DataRecord.Instruction(ds.string("instruction", r),
                        cols.size() == 3 ? ds.string("input", r) : "", ds.string("output", r)));
            }
            return out;
        }
        throw new DataFormatException(file, "expected string columns 'instruction' + 'output' (optional 'input') or"
                + " 'text': " + (last == null ? "" : last.getMessage()), last);
    }
}
