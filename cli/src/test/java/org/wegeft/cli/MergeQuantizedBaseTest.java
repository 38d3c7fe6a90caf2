package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.Tensor;

/**
 * {@code wegeft merge} of an adapter trained on a bitsandbytes 4-bit model (merge/llama_bf16_bnb_nf4, written by
 * tools/fixtures/make_bnb_fixtures.py from merge/llama_bf16): refused without {@code --base}; with the
 * full-precision base it folds into the base, exactly as a merge into that base, and says so.
 */
class MergeQuantizedBaseTest {
    @TempDir
    Path tmp;

    private static final Path QUANTIZED = MergeCommandTest.fixture("llama_bf16_bnb_nf4");
    private static final Path BASE = MergeCommandTest.fixture("llama_bf16");
    private static final Path ADAPTER = MergeCommandTest.fixture("adapter_wegeft");

    private static String refusal(CliRun.Result r, Path out) {
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(out), "--out must not be created");
        return r.errLines().get(0);
    }

    @Test
    void quantizedModelWithoutBaseIsRefusedNamingTheFolder() {
        Path out = tmp.resolve("merged");
        String line = refusal(MergeCommandTest.merge(QUANTIZED, ADAPTER, out), out);
        assertTrue(line.contains(QUANTIZED.toString()) && line.contains("quantization_config")
                && line.contains("--base DIR"), line);
    }

    @Test
    void withBaseItFoldsIntoTheBaseAndSaysSo() throws IOException {
        Path viaBase = tmp.resolve("via_base");
        CliRun.Result r = MergeCommandTest.merge(QUANTIZED, ADAPTER, viaBase, "--base", BASE.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        List<String> said = r.out().lines().filter(l -> l.startsWith("folded into the full-precision base")).toList();
        assertEquals(List.of("folded into the full-precision base " + BASE + " (the adapter was trained on the"
                + " quantized " + QUANTIZED + ")"), said);
        Path direct = tmp.resolve("direct");
        assertEquals(0, MergeCommandTest.merge(BASE, ADAPTER, direct).status());
        for (String f : List.of("model.safetensors", "config.json")) {
            assertArrayEquals(Files.readAllBytes(direct.resolve(f)), Files.readAllBytes(viaBase.resolve(f)), f);
        }
        assertFalse(Files.readString(viaBase.resolve("config.json")).contains("quantization_config"));
    }

    @Test
    void aQuantizedBaseIsRefused() {
        Path out = tmp.resolve("merged");
        String line = refusal(MergeCommandTest.merge(QUANTIZED, ADAPTER, out, "--base", QUANTIZED.toString()), out);
        assertTrue(line.contains("base folder " + QUANTIZED) && line.contains("full-precision"), line);
    }

    @Test
    void aBaseForAFullPrecisionModelIsRefused() {
        Path out = tmp.resolve("merged");
        String line = refusal(MergeCommandTest.merge(BASE, ADAPTER, out, "--base", BASE.toString()), out);
        assertTrue(line.contains("only for a quantized model") && line.contains(BASE.toString()), line);
    }

    @Test
    void aBaseOfAnotherShapeIsRefusedByKey() throws IOException {
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.copy(BASE.resolve("config.json"), other.resolve("config.json"));
        try (Tensor wrong = Tensor.zeros(3, 3)) {
            SafetensorsWriter.save(other.resolve("model.safetensors"), Map.of("model.embed_tokens.weight", wrong),
                    Map.of());
        }
        Path out = tmp.resolve("merged");
        String line = refusal(MergeCommandTest.merge(QUANTIZED, ADAPTER, out, "--base", other.toString()), out);
        assertTrue(line.contains("does not match the quantized model") && line.contains("(missing)")
                && line.contains("more"), line);
    }
}
