package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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
    void matchesPyTorch(String file, List<String> inputs, Function<Map<String, Tensor>, Tensor> op)
            throws URISyntaxException {
        URL url = getClass().getResource("/fixtures/" + file + ".safetensors");
        assertNotNull(url, "fixture " + file + " missing; run tools/fixtures/make_tensor_fixtures.py");
        try (SafetensorsFile sf = SafetensorsFile.open(Path.of(url.toURI()));
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
            assertClose(file + " out", t.get("out"), out);
            for (String in : inputs) {
                assertClose(file + " grad_" + in, t.get("grad_" + in), t.get(in).grad());
            }
        }
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertNotNull(actual, what + " not computed");
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double scale = 0;
        double err = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            err = Math.max(err, Math.abs(e[i] - a[i]));
        }
        assertTrue(err <= TOLERANCE * Math.max(scale, 1e-12), what + ": max abs error " + err + " vs max |torch| "
                + scale + " (relative " + err / scale + ")");
    }
}
