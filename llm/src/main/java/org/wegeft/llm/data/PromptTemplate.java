package org.wegeft.llm.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * How an instruction record becomes a prompt: {@code {instruction}} and {@code {input}} are replaced in
 * {@code promptInput} (records with an input) or {@code promptNoInput} (without). The answer ({@code output}) is
 * appended after the prompt; only the answer's tokens are labels. The JSON form is alpaca-lora's template file:
 * {@code {"prompt_input": "...", "prompt_no_input": "..."}}.
 */
public record PromptTemplate(String promptInput, String promptNoInput) {
    /** The Stanford Alpaca template. */
    public static final PromptTemplate ALPACA = new PromptTemplate(
            "Below is an instruction that describes a task, paired with an input that provides further context. "
                    + "Write a response that appropriately completes the request.\n\n"
                    + "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n",
            "Below is an instruction that describes a task. "
                    + "Write a response that appropriately completes the request.\n\n"
                    + "### Instruction:\n{instruction}\n\n### Response:\n");

    /** The bare template: the instruction, a newline before the input when there is one, nothing else. */
    public static final PromptTemplate PLAIN = new PromptTemplate("{instruction}\n{input}\n", "{instruction}\n");

    public PromptTemplate {
        if (!promptInput.contains("{instruction}") || !promptInput.contains("{input}")) {
            throw new IllegalArgumentException("prompt_input must contain {instruction} and {input}");
        }
        if (!promptNoInput.contains("{instruction}")) {
            throw new IllegalArgumentException("prompt_no_input must contain {instruction}");
        }
    }

    /** The prompt of an instruction and its (possibly empty) input. */
    public String prompt(String instruction, String input) {
        // one pass, so an instruction that itself contains "{input}" is left alone
        String t = input.isEmpty() ? promptNoInput : promptInput;
        StringBuilder sb = new StringBuilder(t.length() + instruction.length() + input.length());
        int i = 0;
        while (i < t.length()) {
            if (t.startsWith("{instruction}", i)) {
                sb.append(instruction);
                i += "{instruction}".length();
            } else if (t.startsWith("{input}", i)) {
                sb.append(input);
                i += "{input}".length();
            } else {
                sb.append(t.charAt(i++));
            }
        }
        return sb.toString();
    }

    /**
     * A template by name ({@code alpaca}, {@code plain}) or from an alpaca-lora style JSON file.
     *
     * @throws IllegalArgumentException naming the file or key when it is unusable
     */
    public static PromptTemplate named(String nameOrFile) {
        return switch (nameOrFile) {
            case "alpaca" -> ALPACA;
            case "plain" -> PLAIN;
            default -> fromJson(Path.of(nameOrFile));
        };
    }

    public static PromptTemplate fromJson(Path file) {
        JsonNode o;
        try {
            o = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read the prompt template: " + e.getMessage(), e);
        }
        if (o == null || !o.path("prompt_input").isTextual() || !o.path("prompt_no_input").isTextual()) {
            throw new IllegalArgumentException(file + ": a prompt template needs string keys 'prompt_input' and "
                    + "'prompt_no_input'");
        }
        try {
            return new PromptTemplate(o.get("prompt_input").asText(), o.get("prompt_no_input").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
