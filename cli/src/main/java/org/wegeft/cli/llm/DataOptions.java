package org.wegeft.cli.llm;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.data.DataFiles;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.data.PromptTemplate;
import org.wegeft.llm.tokenizer.Tokenizer;
import picocli.CommandLine.Option;

/** The data flags of {@code llm train}, {@code llm perplexity} and {@code llm tokenize}: what is read and how. */
final class DataOptions {
    enum TrainOn { assistant, all }

    @Option(names = "--data", required = true, paramLabel = "FILE", description = ".jsonl, .json, .arrow or a"
            + " save_to_disk folder: messages, prompt/completion, instruction/input/output, text or input_ids records")
    @SuppressWarnings("NullAway.Init")
    Path data;

    @Option(names = "--template", paramLabel = "alpaca|plain|FILE", defaultValue = "alpaca",
            description = "prompt template of instruction records (default alpaca)")
    String template = "alpaca";

    @Option(names = "--chat-template", paramLabel = "FILE", description = "a .jinja chat template for messages records"
            + " instead of the model's (chat_template in tokenizer_config.json, or chat_template.jinja)")
    @Nullable Path chatTemplate;

    @Option(names = "--train-on", paramLabel = "assistant|all", defaultValue = "assistant", description = "which"
            + " tokens are labels: the answers and assistant turns (default), or every token")
    TrainOn trainOn = TrainOn.assistant;

    /** The records of {@code --data}. */
    List<DataRecord> records() {
        List<DataRecord> records = DataFiles.read(data);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("--data: " + data + " holds no records");
        }
        return records;
    }

    /** How the records become examples, for the model folder {@code model} and its tokenizer (null: ids only). */
    ExampleEncoder encoder(Path model, @Nullable Tokenizer tokenizer, List<DataRecord> records, int maxLength) {
        ExampleEncoder enc = ExampleEncoder.of(tokenizer, maxLength).withTemplate(PromptTemplate.named(template))
                .withTrainOnPrompt(trainOn == TrainOn.all);
        if (records.stream().anyMatch(r -> r instanceof DataRecord.Chat)) {
            enc = enc.withChatTemplate(chatTemplate != null ? ChatTemplate.fromFile(chatTemplate, model)
                    : ChatTemplate.fromModel(model));
        }
        return enc;
    }
}
