package org.wegeft.tensor;

import static org.wegeft.tensor.testing.TensorFixtures.assertRelClose;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * Forward values and input gradients equal PyTorch 1.13's, from the fixtures written by
 * tools/fixtures/make_tensor_fixtures.py (out = f(inputs); grads for the upstream gradient grad_out).
 * Tolerance: max |ours − torch| ≤ 1e-4 · max |torch| per tensor (fp32).
 */
class TorchParityTest {
    private static final double TOLERANCE = 1e-4;

    /** A fixture: its file stem, its differentiable inputs, and how to compute the output from all tensors. */
    private static Arguments f(String file, List<String> inputs, Function<Map<String, Tensor>, Tensor> op) {
        return Arguments.of(file, inputs, op);
    }

    static Stream<Arguments> fixtures() {
        return Stream.of(
                f("linear", List.of("x", "weight", "bias"), t -> Functional.linear(t.get("x"), t.get("weight"),
                        t.get("bias"))),
                f("layer_norm", List.of("x", "weight", "bias"), t -> Functional.layerNorm(t.get("x"), t.get("weight"),
                        t.get("bias"), 1e-5f)),
                f("rms_norm", List.of("x", "weight"), t -> Functional.rmsNorm(t.get("x"), t.get("weight"), 1e-6f)),
                f("gelu_erf", List.of("x"), t -> Functional.gelu(t.get("x"), false)),
                f("gelu_tanh", List.of("x"), t -> Functional.gelu(t.get("x"), true)),
                f("silu", List.of("x"), t -> Functional.silu(t.get("x"))),
                f("softmax", List.of("x"), t -> t.get("x").softmax(-1)),
                f("log_softmax", List.of("x"), t -> t.get("x").logSoftmax(-1)),
                f("cross_entropy", List.of("logits"), t -> Functional.crossEntropy(t.get("logits"), t.get("targets"),
                        -100, 0f)),
                f("cross_entropy_smoothing", List.of("logits"), t -> Functional.crossEntropy(t.get("logits"),
                        t.get("targets"), -100, 0.1f)),
                f("attention", List.of("q", "k", "v"), t -> Functional.scaledDotProductAttention(t.get("q"), t.get("k"),
                        t.get("v"), false)),
                f("attention_causal_gqa", List.of("q", "k", "v"), t -> Functional.scaledDotProductAttention(t.get("q"),
                        t.get("k"), t.get("v"), true)),
                f("rope", List.of("x"), t -> Functional.rope(t.get("x"), t.get("cos"), t.get("sin"))),
                f("embedding", List.of("weight"), t -> Functional.embedding(t.get("ids"), t.get("weight"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(String file, List<String> inputs, Function<Map<String, Tensor>, Tensor> op) {
        Path path = TensorFixtures.path(getClass(), file + ".safetensors", "tools/fixtures/make_tensor_fixtures.py");
        try (SafetensorsFile sf = SafetensorsFile.open(path);
             TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> t = new HashMap<>();
            for (TensorInfo info : sf.tensors()) {
                try (Storage s = sf.storage(info.name())) {
                    Tensor x = Tensor.wrap(s, info.shape());
                    // leaves get their own copy so gradients never touch the mapped file
                    t.put(info.name(), inputs.contains(info.name()) ? x.contiguous().mul(1f).detach().requiresGrad(true)
                            : x);
                }
            }
            Tensor out = op.apply(t);
            out.backward(t.get("grad_out"));
            assertRelClose(file + " out", t.get("out"), out, TOLERANCE);
            for (String in : inputs) {
                assertRelClose(file + " grad_" + in, t.get("grad_" + in), t.get(in).grad(), TOLERANCE);
            }
        }
    }
}
