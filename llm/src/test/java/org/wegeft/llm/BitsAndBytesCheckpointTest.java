package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantFormat;
import org.wegeft.nn.Linear;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.bnb.BnbCheckpointException;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * Checkpoints in transformers' bitsandbytes 4-bit layout, written by tools/fixtures/make_bnb_fixtures.py, load
 * directly; their logits equal a PyTorch LLaMA over the weights dequantized as bitsandbytes does.
 */
class BitsAndBytesCheckpointTest {
    private static final String SCRIPT = "/usr/bin/python3 tools/fixtures/make_bnb_fixtures.py";

    @TempDir
    Path tmp;

    private static Path fixture(String name) {
        return TensorFixtures.path(BitsAndBytesCheckpointTest.class, name, SCRIPT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama_bnb_nf4", "llama_bnb_nf4_dq", "llama_bnb_fp4_dq"})
    void logitsEqualTheDequantizedReference(String name) {
        Map<String, Tensor> io = TensorFixtures.tensors(fixture(name + "/io.safetensors"));
        try (CausalLM model = CausalLM.fromPretrained(fixture(name));
             Grad.Mode off = Grad.disabled(); Tensor logits = model.forward(io.get("ids"))) {
            double err = TensorFixtures.maxRelError(logits, io.get("logits"));
            System.out.printf("bnb parity %-18s max rel error %.3g%n", name, err);
            assertTrue(err <= 1e-5, name + ": max relative error " + err);
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @Test
    void quantizedWeightsStayFourBitRoundedToTheComputeDtypeAndFrozen() {
        try (CausalLM model = CausalLM.fromPretrained(fixture("llama_bnb_nf4_dq"))) {
            Tensor q = ((Linear) ((LlamaDecoderLayer) model.layers().get(0)).selfAttn().qProj()).weight();
            assertEquals(QuantFormat.NF4, q.quantFormat(), q + " should stay quantized");
            assertEquals(DType.BF16, q.quantRoundTo());
            assertFalse(q.requiresGrad());
        }
    }

    @Test
    void quantizingAnAlreadyQuantizedCheckpointIsRefused() {
        BnbCheckpointException e = assertThrows(BnbCheckpointException.class, () -> CausalLM.fromPretrained(
                fixture("llama_bnb_nf4"), new Quantization(QuantFormat.INT8, false, false)));
        assertEquals("quantization_config", e.key());
    }

    /** A copy of the nf4 fixture folder whose config.json has {@code from} replaced by {@code to}. */
    private Path withConfig(String from, String to) throws IOException {
        Path src = fixture("llama_bnb_nf4");
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        String config = Files.readString(src.resolve("config.json"));
        assertTrue(config.contains(from), from);
        Files.writeString(dir.resolve("config.json"), config.replace(from, to));
        return dir;
    }

    @Test
    void eightBitCheckpointIsRefusedByName() throws IOException {
        Path dir = withConfig("\"load_in_8bit\": false", "\"load_in_8bit\": true");
        BnbCheckpointException e = assertThrows(BnbCheckpointException.class, () -> CausalLM.fromPretrained(dir));
        assertEquals("quantization_config.load_in_8bit", e.key());
        assertTrue(e.getMessage().contains(dir.resolve("config.json").toString()), e.getMessage());
    }

    @Test
    void withoutQuantizationConfigThePackedWeightsAreNotFloats() throws IOException {
        Path dir = withConfig("\"quantization_config\"", "\"quantization_config_removed\"");
        org.wegeft.nn.StateDictException e = assertThrows(org.wegeft.nn.StateDictException.class,
                () -> CausalLM.fromPretrained(dir));
        assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_proj.weight"), e.getMessage());
    }
}
