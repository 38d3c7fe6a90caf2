package org.wegeft.llm.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Tokenizer} over a Hugging Face {@code tokenizer.json}, run by the Hugging Face tokenizers library
 * (Rust) through DJL's binding, whose jar bundles the CPU build of the native library. On a machine with CUDA, DJL
 * asks for a CUDA build, which it can only download: call {@link #useBundledLibrary()} first (the command line does),
 * or set {@code RUST_FLAVOR=cpu} and {@code -Dai.djl.offline=true} yourself. The vocabulary and special tokens are read here from the JSON
 * files; the library does the encoding and decoding, with no truncation or padding.
 *
 * <p>Files of a model folder: {@code tokenizer.json} (required), {@code tokenizer_config.json} (special token
 * strings), {@code generation_config.json} and {@code config.json} ({@code eos_token_id} as an int or a list).
 */
public final class HfTokenizer implements Tokenizer {
    /**
     * Makes DJL load the CPU build of the tokenizer library bundled in its jar and never reach the network, by
     * setting the system properties {@code ai.djl.offline=true} and {@code RUST_FLAVOR=cpu} where the user has set
     * neither. These are process-wide: an application opts in by calling this before the first tokenizer loads.
     */
    public static void useBundledLibrary() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("RUST_FLAVOR") == null && System.getenv("RUST_FLAVOR") == null) {
            System.setProperty("RUST_FLAVOR", "cpu");
        }
    }

    private final Path file;
    private final HuggingFaceTokenizer impl;
    /** The files of a model folder that make up its tokenizer (the last two optional). */
    public static final List<String> FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json");

    private final TokenizerFiles.Vocab vocab;
    private final SpecialTokens special;

    private HfTokenizer(Path file, HuggingFaceTokenizer impl, TokenizerFiles.Vocab vocab, SpecialTokens special) {
        this.file = file;
        this.impl = impl;
        this.vocab = vocab;
        this.special = special;
    }

    /**
     * Loads the tokenizer of a model folder ({@code dir/tokenizer.json} and the optional config files beside it),
     * or of a {@code tokenizer.json} file given directly (config files then read from its folder).
     *
     * @throws TokenizerException naming the file when one is missing, unreadable or malformed, or names a special
     *     token that is not in the vocabulary
     */
    public static HfTokenizer load(Path dirOrFile) {
        Path dir = Files.isDirectory(dirOrFile) ? dirOrFile : dirOrFile.toAbsolutePath().getParent();
        Path json = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
        if (!Files.isRegularFile(json)) {
            throw new TokenizerException(json, "file not found (a Hugging Face tokenizer.json is needed)");
        }
        Path tc = dir.resolve("tokenizer_config.json");
        Path gc = dir.resolve("generation_config.json");
        Path mc = dir.resolve("config.json");
        return load(json, tc, TokenizerFiles.readOptional(tc), gc, TokenizerFiles.readOptional(gc), mc,
                TokenizerFiles.readOptional(mc));
    }

    private static HfTokenizer load(Path json, Path tc, @Nullable JsonNode tokConfig, Path gc,
                                    @Nullable JsonNode genConfig, Path mc, @Nullable JsonNode modelConfig) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(json);
        } catch (IOException e) {
            throw new TokenizerException(json, "cannot read: " + e, e);
        }
        TokenizerFiles.Vocab vocab = TokenizerFiles.vocab(json, TokenizerFiles.read(json));
        SpecialTokens special = TokenizerFiles.specials(vocab, tc, tokConfig, gc, genConfig, mc, modelConfig);
        HuggingFaceTokenizer impl;
        try {
            impl = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(json, "the Hugging Face tokenizers library rejected it: " + e.getMessage(), e);
        }
        return new HfTokenizer(json, impl, vocab, special);
    }

    /** The {@code tokenizer.json} this was loaded from. */
    public Path file() {
        return file;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids;
        try {
            ids = impl.encode(text, addSpecialTokens, false).getIds();
        } catch (RuntimeException e) { // the native tokenizer rejects what its tokenizer.json set up
            throw new TokenizerException(file, "encoding failed: " + e.getMessage(), e);
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab.idToToken().length) { // the file's vocabulary is inconsistent
                throw new TokenizerException(file, "the tokenizer produced id " + ids[i] + ", outside the "
                        + vocab.idToToken().length + " ids its vocabulary lists (duplicate or conflicting entries?)");
            }
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i]);
            l[i] = ids[i];
        }
        try {
            return impl.decode(l, skipSpecialTokens);
        } catch (RuntimeException e) {
            throw new TokenizerException(file, "decoding failed: " + e.getMessage(), e);
        }
    }

    @Override
    public int vocabSize() {
        return vocab.idToToken().length;
    }

    @Override
    public SpecialTokens specialTokens() {
        return special;
    }

    @Override
    public String idToToken(int id) {
        checkId(id);
        String t = vocab.idToToken()[id];
        if (t == null) {
            throw new IllegalArgumentException(file + ": token id " + id + " is unused (a gap in the vocabulary)");
        }
        return t;
    }

    @Override
    public OptionalInt tokenToId(String token) {
        Integer id = vocab.tokenToId().get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.idToToken().length) {
            throw new IllegalArgumentException(file + ": token id " + id + " outside [0, " + vocab.idToToken().length
                    + ")");
        }
    }

    @Override
    public void close() {
        impl.close();
    }

    @Override
    public String toString() {
        return "HfTokenizer[" + file + ", " + vocabSize() + " ids, " + special + "]";
    }
}
