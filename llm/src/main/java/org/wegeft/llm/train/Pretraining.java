package org.wegeft.llm.train;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wegeft.kernels.io.AtomicFiles;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.data.DataFormatException;
import org.wegeft.llm.data.DataRecord;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.data.ExampleEncoder;
import org.wegeft.llm.data.Packing;
import org.wegeft.llm.eval.Perplexity;
import org.wegeft.llm.eval.PerplexityResult;
import org.wegeft.llm.tokenizer.Tokenizer;
import org.wegeft.tensor.Grad;

/**
 * Pretraining a small LLaMA from scratch on a plain-text corpus, Hugging Face {@code run_clm} style: one document
 * per line ({@code <s> line </s>}), the documents concatenated and cut into blocks, the end of the corpus held out
 * for perplexity; the model folder written with its tokenizer and generation config.
 */
public final class Pretraining {
    private Pretraining() {
    }

    /**
     * The corpus's non-blank lines, stripped.
     *
     * @throws DataFormatException when it holds fewer than two
     */
    public static List<String> corpusLines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!l.isBlank()) {
                lines.add(l.strip());
            }
        }
        if (lines.size() < 2) {
            throw new DataFormatException(file, "holds fewer than 2 non-blank lines", null);
        }
        return lines;
    }

    /** {@code lines} as documents ending in the end-of-text token, concatenated and cut into blocks of seq tokens. */
    public static List<Example> blocks(Tokenizer tok, List<String> lines, int seq) {
        ExampleEncoder enc = ExampleEncoder.of(tok, Integer.MAX_VALUE).withEosAfterText(true);
        List<Example> docs = new ArrayList<>(lines.size());
        for (String l : lines) {
            docs.add(enc.encode(new DataRecord.Text(l)));
        }
        return Packing.pack(docs, seq);
    }

    /**
     * A small LLaMA for {@code tok}'s vocabulary: head size hidden / heads, tied embeddings, SiLU, RoPE θ 10,000,
     * RMSNorm ε 1e-6, positions for at least 512 tokens, float32, initialiser std 0.02.
     */
    public static DecoderConfig smallConfig(Tokenizer tok, int hidden, int intermediate, int layers, int heads,
            int kvHeads, int seq) {
        Integer pad = tok.padId() >= 0 ? tok.padId() : null;
        return new DecoderConfig("llama", tok.vocabSize(), hidden, intermediate, layers, heads, kvHeads,
                hidden / heads, Math.max(512, seq), 1e-6, 10000.0, null, true, false, false, "silu",
                tok.bosId() >= 0 ? List.of(tok.bosId()) : List.of(), tok.eosId() >= 0 ? List.of(tok.eosId())
                : List.of(), pad, "float32", 0.02);
    }

    /** Perplexity of {@code lm} on {@code blocks}, in eval mode without gradients (the mode is restored after). */
    public static PerplexityResult heldOutPerplexity(CausalLM lm, List<Example> blocks, int pad) {
        lm.eval();
        try (Grad.Mode off = Grad.disabled()) {
            return Perplexity.evaluate((ids, mask) -> lm.forward(ids, mask, null, null), blocks, 8, pad);
        } finally {
            lm.train();
        }
    }

    /** Copies those of {@code names} that exist in {@code from} into {@code to}, replacing what is there. */
    public static void copyFiles(Path from, Path to, List<String> names) throws IOException {
        for (String f : names) {
            Path src = from.resolve(f);
            if (Files.isRegularFile(src)) {
                AtomicFiles.writeStream(to.resolve(f), out -> Files.copy(src, out));
            }
        }
    }

    /** {@code generation_config.json}: the tokenizer's special ids, greedy decoding. */
    public static void writeGenerationConfig(Path modelDir, Tokenizer tok) throws IOException {
        ObjectNode g = JsonMapper.builder().build().createObjectNode();
        g.put("bos_token_id", tok.bosId());
        g.put("eos_token_id", tok.eosId());
        g.put("pad_token_id", tok.padId());
        g.put("do_sample", false);
        AtomicFiles.writeString(modelDir.resolve("generation_config.json"), g.toPrettyString() + "\n");
    }
}
