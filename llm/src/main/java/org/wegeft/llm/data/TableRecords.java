package org.wegeft.llm.data;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.nn.data.ColumnSpec;
import org.wegeft.nn.data.DataPaths;
import org.wegeft.nn.data.DatasetException;

/**
 * The records of a table (Arrow or Parquet file, glob, or folder), chosen by its columns as {@link DataFiles}
 * chooses a JSON record by its fields: a message list, else {@code prompt} + {@code completion} (two strings or two
 * message lists), else text, else {@code instruction} + {@code output} (optional {@code input}).
 */
final class TableRecords {
    private TableRecords() {}

    static List<DataRecord> read(Path path, DataColumns columns) {
        if (!DataPaths.isGlob(path) && !Files.exists(path)) {
            throw new UncheckedIOException(path + ": file not found", new NoSuchFileException(path.toString()));
        }
        List<String> names = ArrowDataset.columnNames(path);
        // tables hold no pre-tokenized records, so an input_ids column is not looked at
        DataColumns.Shape shape = columns.shape(n -> !n.equals("input_ids") && names.contains(n));
        if (shape == null) {
            throw new DataFormatException(path, "expected columns '" + columns.messages() + "', 'prompt' +"
                    + " 'completion', '" + columns.text() + "' or 'instruction' + 'output', got " + names, null);
        }
        return switch (shape) {
            case MESSAGES -> {
                String c = columns.messages();
                ArrowDataset ds = ArrowDataset.open(path, ColumnSpec.messages(c));
                yield rows(ds, r -> DataRecord.Chat.of(messages(ds, c, r)));
            }
            case PROMPT_COMPLETION -> promptCompletion(path);
            case TEXT -> {
                ArrowDataset ds = ArrowDataset.open(path, ColumnSpec.string(columns.text()));
                yield rows(ds, r -> new DataRecord.Text(ds.string(columns.text(), r)));
            }
            case INSTRUCTION -> instructions(path, names.contains("input"));
            case TOKEN_IDS -> throw new IllegalStateException("input_ids is not looked at in tables");
        };
    }

    private static List<DataRecord> instructions(Path path, boolean input) {
        List<ColumnSpec> specs = new ArrayList<>(List.of(ColumnSpec.string("instruction"),
                ColumnSpec.string("output")));
        if (input) {
            specs.add(ColumnSpec.string("input"));
        }
        ArrowDataset ds = ArrowDataset.open(path, specs);
        return rows(ds, r -> new DataRecord.Instruction(ds.string("instruction", r), input ? ds.string("input", r) : "",
                ds.string("output", r)));
    }

    /** TRL's prompt–completion records: two string columns, or two message-list columns. */
    private static List<DataRecord> promptCompletion(Path path) {
        ArrowDataset ds;
        try {
            ds = ArrowDataset.open(path, ColumnSpec.string("prompt"), ColumnSpec.string("completion"));
        } catch (DatasetException asStrings) {
            try {
                ds = ArrowDataset.open(path, ColumnSpec.messages("prompt"), ColumnSpec.messages("completion"));
            } catch (DatasetException asMessages) {
                throw new DataFormatException(path, "columns 'prompt' and 'completion' must be two strings or two"
                        + " message lists: " + asStrings.getMessage() + "; " + asMessages.getMessage(), asMessages);
            }
            ArrowDataset chat = ds;
            return rows(chat, r -> {
                List<ChatMessage> prompt = messages(chat, "prompt", r);
                List<ChatMessage> all = new ArrayList<>(prompt);
                all.addAll(messages(chat, "completion", r));
                return new DataRecord.Chat(all, prompt.size());
            });
        }
        ArrowDataset text = ds;
        return rows(text, r -> new DataRecord.PromptCompletion(text.string("prompt", r), text.string("completion", r)));
    }

    private static List<DataRecord> rows(ArrowDataset ds, IntFunction<DataRecord> row) {
        List<DataRecord> out = new ArrayList<>(ds.size());
        for (int r = 0; r < ds.size(); r++) {
            out.add(row.apply(r));
        }
        return out;
    }

    private static List<ChatMessage> messages(ArrowDataset ds, String column, int row) {
        List<Map<String, String>> list = ds.messages(column, row);
        if (list.isEmpty()) {
            throw new DataFormatException(ds.file(), row + 1, "column '" + column + "' must be a non-empty list of"
                    + " messages");
        }
        List<ChatMessage> out = new ArrayList<>(list.size());
        for (Map<String, String> m : list) {
            Map<String, Object> extra = new LinkedHashMap<>(m);
            extra.remove("role");
            extra.remove("content");
            out.add(new ChatMessage(m.get("role"), m.get("content"), extra));
        }
        return out;
    }
}
