package org.wegeft.llm.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.chat.ChatTemplateException;
import org.wegeft.llm.tokenizer.Tokenizer;

/**
 * Turns {@link DataRecord}s into {@link Example}s.
 *
 * <ul>
 *   <li>Instruction: {@code prompt = template(instruction, input)} tokenized with the tokenizer's special tokens
 *       (e.g. BOS), then {@code output} tokenized without them, then EOS. The prompt's labels are −100 (unless
 *       {@code trainOnPrompt}); the answer's and EOS's labels are their ids.
 *   <li>Text: tokenized with special tokens; every token a label; EOS appended when {@code eosAfterText}
 *       (for packing plain text into blocks).
 *   <li>Prompt–completion: as an instruction whose prompt is the record's prompt.
 *   <li>Chat: through the model's chat template, labels on the assistant turns ({@link ChatEncoder}); every token
 *       with {@code trainOnPrompt}.
 *   <li>Token ids: as given (labels as given, else the ids); no tokenizer needed.
 * </ul>
 *
 * Every example is truncated to {@code maxLength} tokens (keeping the start). Prompt and answer are tokenized
 * separately, so the boundary between them is exact.
 *
 * @param tokenizer null when only {@link DataRecord.TokenIds} records are encoded
 * @param chatTemplate the model's chat template, for {@link DataRecord.Chat} records (null when there is none)
 * @param source what {@link #encodeAll} names when a record cannot be encoded (the data file; null: nothing)
 */
public record ExampleEncoder(@Nullable Tokenizer tokenizer, PromptTemplate template, int maxLength,
                             boolean trainOnPrompt, boolean eosAfterText, @Nullable ChatTemplate chatTemplate,
                             @Nullable String source) {
    public ExampleEncoder {
        if (maxLength < 2) {
            throw new IllegalArgumentException("--max-length must be at least 2, got " + maxLength);
        }
    }

    /** Alpaca template, prompt masked, no EOS after plain text. */
    public static ExampleEncoder of(@Nullable Tokenizer tokenizer, int maxLength) {
        return new ExampleEncoder(tokenizer, PromptTemplate.ALPACA, maxLength, false, false, null, null);
    }

    public ExampleEncoder withTemplate(PromptTemplate t) {
        return new ExampleEncoder(tokenizer, t, maxLength, trainOnPrompt, eosAfterText, chatTemplate, source);
    }

    public ExampleEncoder withEosAfterText(boolean eos) {
        return new ExampleEncoder(tokenizer, template, maxLength, trainOnPrompt, eos, chatTemplate, source);
    }

    public ExampleEncoder withChatTemplate(@Nullable ChatTemplate t) {
        return new ExampleEncoder(tokenizer, template, maxLength, trainOnPrompt, eosAfterText, t, source);
    }

    /** Every token a label, prompts and user turns included ({@code --train-on all}). */
    public ExampleEncoder withTrainOnPrompt(boolean all) {
        return new ExampleEncoder(tokenizer, template, maxLength, all, eosAfterText, chatTemplate, source);
    }

    public Example encode(DataRecord r) {
        return switch (r) {
            case DataRecord.TokenIds t -> {
                int[] labels = t.labels();
                yield new Example(t.ids(), labels == null ? t.ids() : labels).truncate(maxLength);
            }
            case DataRecord.Text t -> {
                int[] ids = tok("text").encode(t.text(), true);
                yield Example.of(eosAfterText ? append(ids, eos()) : ids).truncate(maxLength);
            }
            case DataRecord.Instruction in -> promptAndAnswer(template.prompt(in.instruction(), in.input()),
                    in.output(), "instruction");
            case DataRecord.PromptCompletion pc -> promptAndAnswer(pc.prompt(), pc.completion(), "prompt");
            case DataRecord.Chat c -> {
                if (chatTemplate == null) {
                    throw new IllegalArgumentException("chat records need the model's chat template (chat_template in"
                            + " tokenizer_config.json, or chat_template.jinja)");
                }
                yield new ChatEncoder(tok("messages"), chatTemplate, trainOnPrompt).encode(c).truncate(maxLength);
            }
        };
    }

    /** The prompt with special tokens, then the answer without them and EOS; the prompt masked unless asked. */
    private Example promptAndAnswer(String promptText, String answerText, String kind) {
        Tokenizer tk = tok(kind);
        int[] prompt = tk.encode(promptText, true);
        int[] answer = append(tk.encode(answerText, false), eos());
        int[] ids = concat(prompt, answer);
        int[] labels = ids.clone();
        if (!trainOnPrompt) {
            Arrays.fill(labels, 0, prompt.length, Example.IGNORE);
        }
        return new Example(ids, labels).truncate(maxLength);
    }

    /** The prompt ids of an instruction (what generation starts from). */
    public int[] promptIds(String instruction, String input) {
        return tok("instruction").encode(template.prompt(instruction, input), true);
    }

    /** The prompt ids of a conversation through the chat template, ending with the generation prompt. */
    public int[] promptIds(List<ChatMessage> messages) {
        if (chatTemplate == null) {
            throw new IllegalArgumentException("a conversation needs the model's chat template");
        }
        return new ChatEncoder(tok("messages"), chatTemplate, trainOnPrompt).promptIds(messages);
    }

    /** Errors of {@link #encodeAll} name {@code s} (the data file) and the record. */
    public ExampleEncoder withSource(@Nullable String s) {
        return new ExampleEncoder(tokenizer, template, maxLength, trainOnPrompt, eosAfterText, chatTemplate, s);
    }

    /**
     * Every record encoded.
     *
     * @throws ChatTemplateException naming the source, the record (from 1) and the template's problem, when the
     *     chat template fails on a conversation
     */
    public List<Example> encodeAll(List<DataRecord> records) {
        List<Example> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            try {
                out.add(encode(records.get(i)));
            } catch (ChatTemplateException e) {
                throw e.inRecord(source, i + 1);
            }
        }
        return out;
    }

    private Tokenizer tok(String kind) {
        if (tokenizer == null) {
            throw new IllegalArgumentException("records with '" + kind + "' need a tokenizer (tokenizer.json in the"
                    + " model folder); records with 'input_ids' do not");
        }
        return tokenizer;
    }

    private int eos() {
        int eos = tok("text").eosId();
        if (eos < 0) {
            throw new IllegalArgumentException("the tokenizer has no EOS token (set eos_token in tokenizer_config.json)");
        }
        return eos;
    }

    static int[] append(int[] a, int x) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = x;
        return r;
    }

    static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
