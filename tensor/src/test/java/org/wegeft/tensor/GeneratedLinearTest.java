package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.WeightDropout;

/**
 * {@link Functional#generatedLinear} (one node, stacked products) against the composition it replaces:
 * {@code linear(x, W, b) + s·linear(x, psi)·linear(phi, W, drop)}, forward and every gradient, with and without
 * dropout, float32 and bf16 weights, a bias, a batch of sequences, and inputs that want no gradient.
 */
class GeneratedLinearTest {

    @ParameterizedTest
    @CsvSource({"F32, 0, true", "F32, 0.1, false", "BF16, 0.1, true", "BF16, 0, false", "F16, 0.3, false"})
    void equalsTheComposition(DType dtype, float p, boolean bias) {
        SplittableRandom rng = new SplittableRandom(17);
        WeightDropout d = p > 0f ? new WeightDropout(rng.nextLong(), p) : null;
        float s = 2.5f;
        // 3 × 41 rows: the stacked product splits inside a micro-panel; out 70 and in 50 leave partial panels
        try (Tensor w32 = Tensor.randn(rng, 70, 50); Tensor w = w32.to(dtype);
             Tensor b = bias ? Tensor.randn(rng, 70).requiresGrad(true) : null;
             Tensor br = bias ? b.detach().requiresGrad(true) : null;
             Tensor x = Tensor.randn(rng, 3, 41, 50).requiresGrad(true); Tensor xr = x.detach().requiresGrad(true);
             Tensor phi = Tensor.randn(rng, 8, 50).requiresGrad(true);
             Tensor phiR = phi.detach().requiresGrad(true);
             Tensor psi = Tensor.randn(rng, 8, 50).requiresGrad(true);
             Tensor psiR = psi.detach().requiresGrad(true);
             Tensor g = Tensor.randn(rng, 3, 41, 70);
             Tensor y = Functional.generatedLinear(x, w, b, phi, psi, s, d);
             Tensor base = Functional.linear(xr, w, br);
             Tensor gen = d == null ? Functional.linear(phiR, w, null) : Functional.linear(phiR, w, null, d);
             Tensor u = Functional.linear(xr, psiR, null); Tensor upd = u.matmul(gen); Tensor scaled = upd.mul(s);
             Tensor yr = base.add(scaled)) {
            assertClose(yr, y, "forward");
            y.backward(g);
            yr.backward(g);
            assertClose(xr.grad(), x.grad(), "dx");
            assertClose(phiR.grad(), phi.grad(), "dphi");
            assertClose(psiR.grad(), psi.grad(), "dpsi");
            if (bias) {
                assertClose(br.grad(), b.grad(), "dbias");
            }
        }
    }

    /**
     * Only the generator (phi) trainable: the backward product has only the generator's rows, all dropped. Only the
     * input and psi trainable: only the layer's rows, none dropped.
     */
    @ParameterizedTest
    @CsvSource({"true", "false"})
    void inputsThatWantNoGradientGetNone(boolean generatorOnly) {
        SplittableRandom rng = new SplittableRandom(generatorOnly ? 9 : 11);
        WeightDropout d = new WeightDropout(3, 0.2f);
        try (Tensor w = Tensor.randn(rng, 40, 30).to(DType.BF16);
             Tensor x = Tensor.randn(rng, 2, 10, 30).requiresGrad(!generatorOnly);
             Tensor xr = x.detach().requiresGrad(!generatorOnly);
             Tensor phi = Tensor.randn(rng, 4, 30).requiresGrad(generatorOnly);
             Tensor phiR = phi.detach().requiresGrad(generatorOnly);
             Tensor psi = Tensor.randn(rng, 4, 30).requiresGrad(!generatorOnly);
             Tensor psiR = psi.detach().requiresGrad(!generatorOnly);
             Tensor g = Tensor.randn(rng, 2, 10, 40);
             Tensor y = Functional.generatedLinear(x, w, null, phi, psi, 0.5f, d);
             Tensor base = Functional.linear(xr, w, null); Tensor gen = Functional.linear(phiR, w, null, d);
             Tensor u = Functional.linear(xr, psiR, null); Tensor upd = u.matmul(gen); Tensor scaled = upd.mul(0.5f);
             Tensor yr = base.add(scaled)) {
            y.backward(g);
            yr.backward(g);
            if (generatorOnly) {
                assertClose(phiR.grad(), phi.grad(), "dphi");
                assertNull(x.grad());
                assertNull(psi.grad());
            } else {
                assertClose(xr.grad(), x.grad(), "dx");
                assertClose(psiR.grad(), psi.grad(), "dpsi");
                assertNull(phi.grad());
            }
        }
    }

    @Test
    void refusesATrainableWeightAndMismatchedShapes() {
        try (Tensor w = Tensor.randn(1, 8, 4).requiresGrad(true); Tensor frozen = Tensor.randn(2, 8, 4);
             Tensor x = Tensor.randn(3, 2, 4); Tensor phi = Tensor.randn(4, 2, 4); Tensor psi = Tensor.randn(5, 3, 4)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Functional.generatedLinear(x, w, null, phi, phi, 1f, null));
            assertTrue(e.getMessage().contains("frozen"), e.getMessage());
            var m = assertThrows(ShapeMismatchException.class,
                    () -> Functional.generatedLinear(x, frozen, null, phi, psi, 1f, null));
            assertTrue(m.getMessage().contains("phi") && m.getMessage().contains("psi"), m.getMessage());
        }
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        // float32 rounding of sums whose terms reach the largest entries (cancellation leaves some entries small)
        float max = 0;
        for (float v : e) {
            max = Math.max(max, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-4f * Math.abs(e[i]) + 1e-5f * max + 1e-6f, what + " element " + i);
        }
    }
}
