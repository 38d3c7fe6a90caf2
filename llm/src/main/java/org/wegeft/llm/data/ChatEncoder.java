package org.wegeft.llm.data;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.wegeft.llm.chat.ChatMessage;
import org.wegeft.llm.chat.ChatTemplate;
import org.wegeft.llm.chat.ChatTemplateException;
import org.wegeft.llm.tokenizer.Tokenizer;

/**
 * Tokenizes conversations through the model's chat template, as {@code apply_chat_template(tokenize=True)} does:
 * the rendered text is tokenized without adding special tokens again (the template writes them).
 *
 * <p>Labels, unless {@code trainOnAll}: assistant turn i's span starts right after the tokens of the conversation up
 * to turn i−1 rendered with {@code add_generation_prompt=True} (which must be a prefix of the whole conversation's
 * tokens), and runs through the first end-of-turn token, inclusive. Everything the template writes inside the span
 * is labelled (Qwen3's empty think block, for one); the rest is −100. This needs no {@code {% generation %}} marks.
 */
public record ChatEncoder(Tokenizer tokenizer, ChatTemplate template, boolean trainOnAll) {
    /** Tokens that end a turn in the chat templates of the common model families, when the vocabulary has them. */
    private static final List<String> END_OF_TURN = List.of("<|eot_id|>", "<|im_end|>", "<end_of_turn>", "<|end|>",
            "<|eom_id|>");

    /** The ids and labels of a conversation. */
    public Example encode(DataRecord.Chat chat) {
        List<ChatMessage> messages = chat.messages();
        int[] ids = tokens(template.render(messages, false));
        if (trainOnAll) {
            return Example.of(ids);
        }
        int[] labels = new int[ids.length];
        Arrays.fill(labels, Example.IGNORE);
        Set<Integer> ends = endOfTurnIds();
        for (int i = chat.completionStart(); i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) {
                continue;
            }
            int[] prefix = tokens(template.render(messages.subList(0, i), true));
            if (prefix.length > ids.length || !Arrays.equals(prefix, 0, prefix.length, ids, 0, prefix.length)) {
                throw new ChatTemplateException(template.origin(), "assistant turn " + i + ": the conversation up to"
                        + " turn " + (i - 1) + " rendered with add_generation_prompt is not a prefix of the whole"
                        + " conversation's tokens, so the turn's labels cannot be placed");
            }
            for (int j = prefix.length; j < ids.length; j++) {
                labels[j] = ids[j];
                if (ends.contains(ids[j])) {
                    break;
                }
            }
        }
        return new Example(ids, labels);
    }

    /** The ids a reply is generated after: the messages rendered with the generation prompt. */
    public int[] promptIds(List<ChatMessage> messages) {
        return tokens(template.render(messages, true));
    }

    /** The ids that end a turn: the tokenizer's end-of-sequence ids and the known end-of-turn tokens it has. */
    public Set<Integer> endOfTurnIds() {
        Set<Integer> out = new LinkedHashSet<>();
        for (int e : tokenizer.specialTokens().eosIds()) {
            out.add(e);
        }
        for (String t : END_OF_TURN) {
            tokenizer.tokenToId(t).ifPresent(out::add);
        }
        return out;
    }

    private int[] tokens(String text) {
        return tokenizer.encode(text, false);
    }
}
