package org.wegeft.llm.data;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.tokenizer.Tokenizer;

/**
 * Where a causal-LM run's records come from and how they become examples: the data file (or glob, or folder), its
 * columns, the prompt template of instruction records, the chat template of messages records (null: the model's)
 * and which tokens are labels. Strings only, so that it travels to a data-parallel replica, which reads the same
 * files by path.
 *
 * @param file           the records: .jsonl, .json, .arrow, .parquet, a glob or a folder ({@link DataFiles})
 * @param template       a prompt template name or file ({@link PromptTemplate#named})
 * @param chatTemplate   a .jinja chat template file instead of the model's, or null
 * @param trainOnAll     every token is a label, not only the answers and assistant turns
 */
public record LmData(String file, String messagesColumn, String textColumn, String template,
        @Nullable String chatTemplate, boolean trainOnAll) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The records of {@link #file}; at least one. */
    public List<DataRecord> records() {
        List<DataRecord> records = DataFiles.read(Path.of(file), new DataColumns(messagesColumn, textColumn));
        if (records.isEmpty()) {
            throw new IllegalArgumentException("--data: " + file + " holds no records");
        }
        return records;
    }

    /** Whether some record needs a tokenizer (text or instruction records; input_ids records do not). */
    public static boolean needsTokenizer(List<DataRecord> records) {
        return records.stream().anyMatch(r -> !(r instanceof DataRecord.TokenIds));
    }

    /** How {@code records} become examples for the model folder {@code model} and its tokenizer (null: ids only). */
    public ExampleEncoder encoder(Path model, @Nullable Tokenizer tokenizer, List<DataRecord> records, int maxLength) {
        ExampleEncoder enc = ExampleEncoder.of(tokenizer, maxLength).withTemplate(PromptTemplate.named(template))
                .withTrainOnPrompt(trainOnAll).withSource(file);
        if (records.stream().anyMatch(r -> r instanceof DataRecord.Chat)) {
            enc = enc.withChatTemplate(chatTemplate != null ? ChatTemplate.fromFile(Path.of(chatTemplate), model)
                    : ChatTemplate.fromModel(model));
        }
        return enc;
    }
}
