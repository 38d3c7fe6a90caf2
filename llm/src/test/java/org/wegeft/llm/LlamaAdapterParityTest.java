package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.wegeft.WeGeFTLinear;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/** PyTorch parity with a PEFT-format WeGeFT adapter (q,k,v,up,down tied across layers): unmerged and merged. */
class LlamaAdapterParityTest {

    @Test
    void adaptedLogitsMatchPyTorchUnmergedAndMerged() {
        Map<String, Tensor> io = LlmFixtures.tensors("llama_untied_wegeft/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("llama_untied"));
             Grad.Mode off = Grad.disabled()) {
            PeftModel pm = PeftModel.fromPretrained(model, LlmFixtures.path("llama_untied_wegeft"));
            model.eval();
            assertEquals(10, pm.adapterLayers().size());                 // 5 targets × 2 layers
            var q0 = (WeGeFTLinear) ((LlamaDecoderLayer) model.layers().get(0)).selfAttn().qProj();
            var q1 = (WeGeFTLinear) ((LlamaDecoderLayer) model.layers().get(1)).selfAttn().qProj();
            assertSame(q0.phi(), q1.phi(), "q_proj pair tied across layers");
            assertEquals(2L * 4 * (32 + 32 + 32 + 32 + 64), pm.trainableReport().trainable()); // Σ groups 2·r·d_in
            try (Tensor unmerged = model.forward(io.get("ids"))) {
                double err = TensorFixtures.maxRelError(unmerged, io.get("logits"));
                System.out.printf("parity wegeft unmerged max rel error %.3g%n", err);
                assertTrue(err <= LlamaTorchParityTest.TOL, "unmerged: " + err);
            }
            pm.merge();
            try (Tensor merged = model.forward(io.get("ids"))) {
                double err = TensorFixtures.maxRelError(merged, io.get("logits"));
                System.out.printf("parity wegeft merged   max rel error %.3g%n", err);
                assertTrue(err <= LlamaTorchParityTest.TOL, "merged: " + err);
            }
            pm.unmerge();
            pm.mergeAndUnload();
            try (Tensor plain = model.forward(io.get("ids"))) {
                assertTrue(TensorFixtures.maxRelError(plain, io.get("logits")) <= LlamaTorchParityTest.TOL);
            }
        } finally {
            io.values().forEach(Tensor::close);
        }
    }
}
