package org.wegeft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.CausalLM;

/**
 * A random tiny LLaMA (vocab 4000, hidden 32, MLP 64, 2 layers, 4 heads, 2 key/value heads, seed 7) with the
 * project's KJV tokenizer, saved as a model folder for the LLM commands' tests.
 */
public final class TinyLlama {
    /** The KJV tokenizer folder (tokenizer.json, tokenizer_config.json). */
    public static final Path KJV = Path.of("../llm/src/test/resources/tokenizer/kjv");
    public static final int HIDDEN = 32;
    public static final int MLP = 64;

    private TinyLlama() {
    }

    /** Saves the model to {@code dir} with KJV's tokenizer.json and the given tokenizer_config.json; returns dir. */
    public static Path save(Path dir, Path tokenizerConfig) throws IOException {
        return save(dir, tokenizerConfig, 2);
    }

    /** {@link #save(Path, Path)} with {@code layers} decoder layers. */
    public static Path save(Path dir, Path tokenizerConfig, int layers) throws IOException {
        try (CausalLM m = new CausalLM(DecoderConfig.tiny(4000, HIDDEN, MLP, layers, 4, 2), 7)) {
            m.save(dir);
        }
        Files.copy(KJV.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.copy(tokenizerConfig, dir.resolve("tokenizer_config.json"));
        return dir;
    }
}
