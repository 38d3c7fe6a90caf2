package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.kernels.DType;
import org.wegeft.nn.Linear;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/** Logits of tiny random models written by tools/fixtures/make_llama_fixtures.py match to 1e-4. */
class LlamaTorchParityTest {
    static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"llama_untied", "llama_tied", "llama3_scaled", "qwen2_bias", "llama_bf16"})
    void logitsMatchPyTorch(String name) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name));
             Grad.Mode off = Grad.disabled(); Tensor logits = model.forward(io.get("ids"))) {
            double err = TensorFixtures.maxRelError(logits, io.get("logits"));
            System.out.printf("parity %-14s max rel error %.3g%n", name, err);
            assertTrue(err <= TOL, name + ": max relative error " + err);
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @Test
    void leftPaddedBatchMatchesPyTorchOnRealTokens() {
        Map<String, Tensor> io = LlmFixtures.tensors("llama_untied/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("llama_untied"));
             Grad.Mode off = Grad.disabled();
             Tensor positions = CausalLM.positionsFromMask(io.get("pad_mask"));
             Tensor logits = model.forward(io.get("pad_ids"), io.get("pad_mask"), positions, null)) {
            int[] expectedPos = io.get("pad_positions").toIntArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(expectedPos, positions.toIntArray());
            // compare the real tokens only (row 0 from position 3, row 1 whole)
            try (Tensor ours = logits.narrow(1, 3, 5); Tensor theirs = io.get("pad_logits").narrow(1, 3, 5);
                 Tensor ours1 = logits.select(0, 1); Tensor theirs1 = io.get("pad_logits").select(0, 1)) {
                assertTrue(TensorFixtures.maxRelError(ours, theirs) <= TOL);
                assertTrue(TensorFixtures.maxRelError(ours1, theirs1) <= TOL);
            }
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @Test
    void tiedModelSharesTheEmbeddingWithTheHead() {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("llama_tied"))) {
            assertSame(model.model().embedTokens().weight(), ((Linear) model.lmHead()).weight());
            assertFalse(model.namedParameters().containsKey("lm_head.weight"));
        }
    }

    @Test
    void bf16CheckpointStaysBf16AndFrozen() {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("llama_bf16"))) {
            Tensor q = ((Linear) ((LlamaDecoderLayer) model.layers().get(0)).selfAttn().qProj()).weight();
            assertEquals(DType.BF16, q.dtype());
            assertFalse(q.requiresGrad());
            model.toFloat32();
            Tensor q32 = ((Linear) ((LlamaDecoderLayer) model.layers().get(0)).selfAttn().qProj()).weight();
            assertEquals(DType.F32, q32.dtype());
            assertTrue(q32.requiresGrad());
        }
    }

    @Test
    void qwen2HasQkvBiasesButNoOutputBias() {
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("qwen2_bias"))) {
            var attn = ((LlamaDecoderLayer) model.layers().get(0)).selfAttn();
            assertTrue(((Linear) attn.qProj()).bias() != null);
            assertNull(((Linear) attn.oProj()).bias());
            assertEquals(java.util.List.of(2, 3), model.config().eosTokenIds());
        }
    }
}
