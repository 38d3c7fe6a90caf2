package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.kernels.QuantFormat;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * A tiny LLaMA quantized as it loads gives the logits of the PyTorch model run with the reference quantized-then-
 * dequantized weights (tools/fixtures/make_quant_llama_fixtures.py) within 1e-5: NF4, NF4 with double-quantized
 * absmax, INT8, and NF4 of a bf16 checkpoint (dequantized values rounded to bf16).
 */
class QuantizedTorchParityTest {
    private static final double TOL = 1e-5;

    @ParameterizedTest
    @CsvSource({"llama_quant, NF4, false, logits_nf4", "llama_quant, NF4, true, logits_nf4_dq",
                "llama_quant, INT8, false, logits_int8", "llama_quant_bf16, NF4, false, logits_nf4",
                "llama_quant_bf16, INT8, false, logits_int8"})
    void logitsMatchTheDequantizedReference(String name, QuantFormat format, boolean doubleQuant, String key) {
        Map<String, Tensor> io = LlmFixtures.tensors(name + "/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path(name),
                new Quantization(format, doubleQuant, false));
             Grad.Mode off = Grad.disabled(); Tensor logits = model.forward(io.get("ids"))) {
            double err = TensorFixtures.maxRelError(logits, io.get(key));
            double unquantized = TensorFixtures.maxRelError(io.get("logits"), io.get(key));
            System.out.printf("quantized parity %s %s: max rel error %.3g (full precision differs by %.3g)%n", name,
                    key, err, unquantized);
            assertTrue(err <= TOL, name + " " + key + ": max relative error " + err);
            assertTrue(unquantized > 100 * TOL, "the fixture must tell quantized from full precision");
        } finally {
            io.values().forEach(Tensor::close);
        }
    }
}
