package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.QuantFormat;
import org.wegeft.llm.data.Example;
import org.wegeft.llm.eval.PerplexityResult;
import org.wegeft.llm.tokenizer.HfTokenizer;
import org.wegeft.llm.train.Pretraining;

/**
 * The committed KJV model (examples/models/llama-kjv) quantized as it loads keeps its held-out perplexity
 * (examples/data/kjv-heldout.txt, the last 2 % of the lines it was pretrained without, in 128-token blocks): NF4
 * within 3 % of float32, INT8 within 0.5 %. Every decoder Linear is quantized, the tied embedding is not.
 */
class QuantizedKjvPerplexityTest {
    private static final Path MODEL = Path.of("../examples/models/llama-kjv");
    private static final Path HELD_OUT = Path.of("../examples/data/kjv-heldout.txt");
    private static List<Example> blocks;
    private static int pad;
    private static double f32;

    @BeforeAll
    static void reference() throws IOException {
        try (HfTokenizer tok = HfTokenizer.load(MODEL)) {
            blocks = Pretraining.blocks(tok, Pretraining.corpusLines(HELD_OUT), 128);
            pad = tok.padId();
        }
        f32 = perplexity(null).ppl();
    }

    private static PerplexityResult perplexity(Quantization q) {
        try (CausalLM lm = CausalLM.fromPretrained(MODEL, q)) {
            return Pretraining.heldOutPerplexity(lm, blocks, pad);
        }
    }

    private static long quantizedLinears(CausalLM lm) {
        return lm.namedParameters().entrySet().stream().filter(e -> e.getValue().quantFormat() != null).count();
    }

    @Test
    void everyDecoderLinearIsQuantizedAndTheEmbeddingIsNot() {
        try (CausalLM lm = CausalLM.fromPretrained(MODEL, new Quantization(QuantFormat.NF4, false, false))) {
            assertEquals(4 * 7, quantizedLinears(lm));
            assertEquals(null, lm.namedParameters().get("model.embed_tokens.weight").quantFormat());
        }
    }

    @Test
    void nf4PerplexityIsWithinThreePercentOfFloat32() {
        double nf4 = perplexity(new Quantization(QuantFormat.NF4, false, false)).ppl();
        System.out.printf("KJV held-out perplexity: f32 %.4f, nf4 %.4f (%+.3f%%)%n", f32, nf4, 100 * (nf4 / f32 - 1));
        assertTrue(Math.abs(nf4 / f32 - 1) <= 0.03, "nf4 " + nf4 + " vs f32 " + f32);
    }

    @Test
    void nf4WithDoubleQuantizationIsWithinThreePercentOfFloat32() {
        double nf4 = perplexity(new Quantization(QuantFormat.NF4, true, true)).ppl();
        System.out.printf("KJV held-out perplexity: f32 %.4f, nf4 + double quant + embeddings %.4f (%+.3f%%)%n", f32,
                nf4, 100 * (nf4 / f32 - 1));
        assertTrue(Math.abs(nf4 / f32 - 1) <= 0.03, "nf4 " + nf4 + " vs f32 " + f32);
    }

    @Test
    void int8PerplexityIsWithinHalfAPercentOfFloat32() {
        double int8 = perplexity(new Quantization(QuantFormat.INT8, false, false)).ppl();
        System.out.printf("KJV held-out perplexity: f32 %.4f, int8 %.4f (%+.3f%%)%n", f32, int8,
                100 * (int8 / f32 - 1));
        assertTrue(Math.abs(int8 / f32 - 1) <= 0.005, "int8 " + int8 + " vs f32 " + f32);
    }
}
