package org.wegeft.cli.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.cli.CliRun.Result;

/**
 * {@code --quantize nf4|int8 [--double-quant] [--quantize-embeddings]} on the llm commands and bench train: an
 * adapter trained on the quantized KJV model is an ordinary adapter (it loads on the full-precision model too), and
 * flags that do not agree are refused with status 2 naming the flag.
 */
class QuantizeFlagsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path MODEL = Path.of("../examples/models/llama-kjv");

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void records() throws IOException {
        data = tmp.resolve("kjv.jsonl");
        List<String> lines = Files.readAllLines(Path.of("../examples/data/kjv-heldout.txt")).subList(0, 16);
        Files.write(data, lines.stream().map(l -> "{\"text\": " + JSON.valueToTree(l) + "}").toList());
    }

    @Test
    void anAdapterTrainedOnAQuantizedBaseIsAnOrdinaryAdapter() throws IOException {
        Path out = tmp.resolve("adapter");
        Result t = run("llm", "train", "--model", MODEL.toString(), "--data", data.toString(), "--out",
                out.toString(), "--method", "wegeft", "--rank", "4", "--steps", "2", "--batch", "4", "--quantize",
                "nf4", "--double-quant");
        assertEquals(0, t.status(), t.err());
        assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")), t.out());
        Result plain = run("llm", "perplexity", "--model", MODEL.toString(), "--adapter", out.toString(),
                "--data", data.toString());
        Result quantized = run("llm", "perplexity", "--model", MODEL.toString(), "--adapter",
                out.toString(), "--data", data.toString(), "--quantize", "nf4");
        assertEquals(0, plain.status(), plain.err());
        assertEquals(0, quantized.status(), quantized.err());
        double a = JSON.readTree(plain.out()).get("ppl").asDouble();
        double b = JSON.readTree(quantized.out()).get("ppl").asDouble();
        assertTrue(Math.abs(a / b - 1) < 0.03 && a != b, "full precision " + a + " vs nf4 " + b);
        Result g = run("llm", "generate", "--model", MODEL.toString(), "--adapter", out.toString(),
                "--prompt", "And the LORD said", "--max-new-tokens", "4", "--quantize", "int8");
        assertEquals(0, g.status(), g.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "llm perplexity --quantize fp4|--quantize must be nf4 or int8",
        "llm perplexity --double-quant|--double-quant needs --quantize",
        "llm perplexity --quantize-embeddings|--quantize-embeddings needs --quantize",
        "llm perplexity --quantize int8 --double-quant|--double-quant applies to --quantize nf4",
        "llm train --method full --quantize nf4|--quantize: --method full trains the base weights"})
    void disagreeingFlagsAreRefusedNamingTheFlag(String args, String message) {
        List<String> a = new java.util.ArrayList<>(List.of(args.split(" ")));
        a.addAll(List.of("--model", MODEL.toString(), "--data", data.toString()));
        if (args.startsWith("llm train")) {
            a.addAll(List.of("--out", tmp.resolve("refused").toString()));
        }
        Result r = run(a.toArray(String[]::new));
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    void benchTrainReportsTheQuantization() throws IOException {
        String[] args = {"bench", "train", "--model", "llama-tiny", "--method", "wegeft", "--batch", "1", "--seq", "8",
                "--steps", "1", "--warmup", "0", "--gemm-n", "0", "--rank", "4", "--dtype", "bf16", "--quantize", "nf4"};
        Result r = run(args);
        assertEquals(0, r.status(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("nf4", j.get("quantize").asText(), j.toString());
        assertTrue(j.get("last_loss").asDouble() > 0, j.toString());
        Result full = run("bench", "train", "--model", "llama-tiny", "--method", "full", "--batch", "1", "--seq", "8",
                "--steps", "1", "--warmup", "0", "--quantize", "int8");
        assertEquals(2, full.status(), full.err());
        assertTrue(full.err().contains("--quantize"), full.err());
    }
}
