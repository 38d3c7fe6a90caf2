package org.wegeft.cli.llm;

import java.nio.file.Path;
import java.util.List;
import org.wegeft.llm.data.DataColumns;
import org.wegeft.llm.data.DataFiles;
import org.wegeft.llm.data.DataRecord;
import picocli.CommandLine.Option;

/** {@code --data FILE [--messages-column C] [--text-column C]}: the records an LLM command reads. */
final class DataOptions {
    @Option(names = "--data", required = true, paramLabel = "FILE|GLOB|DIR", description = "records: .jsonl, .json,"
            + " .arrow, .parquet, a quoted glob such as 'data/train-*.parquet', or a folder (Parquet shards or"
            + " save_to_disk)")
    @SuppressWarnings("NullAway.Init")
    Path file;

    @Option(names = "--messages-column", paramLabel = "NAME", defaultValue = "messages",
            description = "column (or JSON field) of chat message lists (default: ${DEFAULT-VALUE})")
    String messagesColumn = "messages";

    @Option(names = "--text-column", paramLabel = "NAME", defaultValue = "text",
            description = "column (or JSON field) of plain-text records (default: ${DEFAULT-VALUE})")
    String textColumn = "text";

    /** The records of {@code --data}; at least one. */
    List<DataRecord> records() {
        List<DataRecord> records = DataFiles.read(file, new DataColumns(messagesColumn, textColumn));
        if (records.isEmpty()) {
            throw new IllegalArgumentException("--data: " + file + " holds no records");
        }
        return records;
    }
}
