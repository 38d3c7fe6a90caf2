package org.wegeft.cli.llm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.data.LmData;
import org.wegeft.llm.tokenizer.Tokenizer;
import picocli.CommandLine.Option;

/**
 * The data flags of {@code llm train}, {@code llm perplexity} and {@code llm tokenize}: the records read, and how
 * they become token ids and labels ({@link LmData}).
 */
final class DataOptions {
    enum TrainOn { assistant, all }

    @Option(names = "--data", required = true, paramLabel = "FILE|GLOB|DIR", description = "records: .jsonl, .json,"
            + " .arrow, .parquet, a quoted glob such as 'data/train-*.parquet', or a folder (Parquet shards or"
            + " save_to_disk): messages, prompt/completion, instruction/input/output, text or input_ids records")
    @SuppressWarnings("NullAway.Init")
    Path file;

    @Option(names = "--messages-column", paramLabel = "NAME", defaultValue = "messages",
            description = "column (or JSON field) of chat message lists (default: ${DEFAULT-VALUE})")
    String messagesColumn = "messages";

    @Option(names = "--text-column", paramLabel = "NAME", defaultValue = "text",
            description = "column (or JSON field) of plain-text records (default: ${DEFAULT-VALUE})")
    String textColumn = "text";

    @Option(names = "--template", paramLabel = "alpaca|plain|FILE", defaultValue = "alpaca",
            description = "prompt template of instruction records (default alpaca)")
    String template = "alpaca";

    @Option(names = "--chat-template", paramLabel = "FILE", description = "a .jinja chat template for messages records"
            + " instead of the model's (chat_template in tokenizer_config.json, or chat_template.jinja)")
    @Nullable Path chatTemplate;

    @Option(names = "--train-on", paramLabel = "assistant|all", defaultValue = "assistant", description = "which"
            + " tokens are labels: the answers and assistant turns (default), or every token")
    TrainOn trainOn = TrainOn.assistant;

    /** The flags as the library's data description; {@code absolute}: paths made absolute (for Spark replicas). */
    LmData spec(boolean absolute) {
        Path f = absolute ? file.toAbsolutePath() : file;
        Path chat = chatTemplate == null ? null : absolute ? chatTemplate.toAbsolutePath() : chatTemplate;
        String tmpl = absolute && Files.isRegularFile(Path.of(template)) ? Path.of(template).toAbsolutePath().toString()
                : template;
        return new LmData(f.toString(), messagesColumn, textColumn, tmpl, chat == null ? null : chat.toString(),
                trainOn == TrainOn.all);
    }

    /** The records of {@code --data}; at least one. */
    List<DataRecord> records() {
        return spec(false).records();
    }

    /** How the records become examples, for the model folder {@code model} and its tokenizer (null: ids only). */
    ExampleEncoder encoder(Path model, @Nullable Tokenizer tokenizer, List<DataRecord> records, int maxLength) {
        return spec(false).encoder(model, tokenizer, records, maxLength);
    }
}
