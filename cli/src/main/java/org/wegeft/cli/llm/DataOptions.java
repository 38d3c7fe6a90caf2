package org.wegeft.cli.llm;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.data.DataColumns;
import org.wegeft.llm.data.DataFiles;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.data.PromptTemplate;
import org.wegeft.llm.tokenizer.Tokenizer;
import picocli.CommandLine.Option;

/**
 * The data flags of {@code llm train}, {@code llm perplexity} and {@code llm tokenize}: the records read, and how
 * they become token ids and labels.
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

    /** The records of {@code --data}; at least one. */
    List<DataRecord> records() {
        List<DataRecord> records = DataFiles.read(file, new DataColumns(messagesColumn, textColumn));
        if (records.isEmpty()) {
            throw new IllegalArgumentException("--data: " + file + " holds no records");
        }
        return records;
    }

    /** How the records become examples, for the model folder {@code model} and its tokenizer (null: ids only). */
    ExampleEncoder encoder(Path model, @Nullable Tokenizer tokenizer, List<DataRecord> records, int maxLength) {
        ExampleEncoder enc = ExampleEncoder.of(tokenizer, maxLength).withTemplate(PromptTemplate.named(template))
                .withTrainOnPrompt(trainOn == TrainOn.all).withSource(file.toString());
        if (records.stream().anyMatch(r -> r instanceof DataRecord.Chat)) {
            enc = enc.withChatTemplate(chatTemplate != null ? ChatTemplate.fromFile(chatTemplate, model)
                    : ChatTemplate.fromModel(model));
        }
        return enc;
    }
}
