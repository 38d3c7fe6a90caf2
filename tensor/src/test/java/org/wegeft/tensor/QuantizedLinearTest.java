package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantFormat;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.WeightDropout;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * A linear layer over a quantized weight equals the same layer over the weight dequantized to float32 (the oracle):
 * forward, the input gradient (dy·W through the same dequantizing GEMM), with a bias and weight dropout, and the
 * generator form of WeGeFT (phi·drop(W)ᵀ stacked under the base product); the quantized weight stays frozen and
 * cannot be read as plain elements.
 */
class QuantizedLinearTest {

    /** The weight dequantized element by element, as float32. */
    private static Tensor dense(QuantizedWeight q) {
        float[] v = new float[(int) q.size()];
        q.dequantize(0, v.length, v, 0);
        return Tensor.of(v, q.rows(), q.cols());
    }

    private static void assertClose(Tensor expected, Tensor actual, String what) {
        double err = TensorFixtures.maxRelError(actual, expected);
        assertTrue(err <= 1e-5, what + " relative error " + err);
    }

    @ParameterizedTest
    @CsvSource({"NF4, false, F32, 0", "NF4, true, BF16, 0.1", "INT8, false, F32, 0.1", "INT8, false, BF16, 0",
                "NF4, false, BF16, 0"})
    void linearEqualsTheDequantizedLayer(QuantFormat format, boolean doubleQuant, DType stored, float p) {
        SplittableRandom rng = new SplittableRandom(29);
        WeightDropout d = p > 0f ? new WeightDropout(rng.nextLong(), p) : null;
        // 3 × 41 rows, out 70 and in 50: partial panels and blocks that cross rows
        try (Tensor w32 = Tensor.randn(rng, 70, 50); Tensor w = w32.to(stored);
             Tensor wq = w.quantize(format, doubleQuant); Tensor wd = dense(wq.quantizedWeight());
             Tensor b = Tensor.randn(rng, 70);
             Tensor x = Tensor.randn(rng, 3, 41, 50).requiresGrad(true); Tensor xr = x.detach().requiresGrad(true);
             Tensor g = Tensor.randn(rng, 3, 41, 70);
             Tensor y = d == null ? Functional.linear(x, wq, b) : Functional.linear(x, wq, b, d);
             Tensor yr = d == null ? Functional.linear(xr, wd, b) : Functional.linear(xr, wd, b, d)) {
            assertClose(yr, y, "y");
            y.backward(g);
            yr.backward(g);
            assertClose(xr.grad(), x.grad(), "dx");
        }
    }

    @ParameterizedTest
    @CsvSource({"NF4, 0.1", "INT8, 0"})
    void generatorFormEqualsTheDequantizedLayer(QuantFormat format, float p) {
        SplittableRandom rng = new SplittableRandom(31);
        WeightDropout d = p > 0f ? new WeightDropout(rng.nextLong(), p) : null;
        try (Tensor w = Tensor.randn(rng, 70, 50); Tensor wq = w.quantize(format, false);
             Tensor wd = dense(wq.quantizedWeight());
             Tensor x = Tensor.randn(rng, 2, 33, 50).requiresGrad(true); Tensor xr = x.detach().requiresGrad(true);
             Tensor phi = Tensor.randn(rng, 8, 50).requiresGrad(true); Tensor phiR = phi.detach().requiresGrad(true);
             Tensor psi = Tensor.randn(rng, 8, 50).requiresGrad(true); Tensor psiR = psi.detach().requiresGrad(true);
             Tensor g = Tensor.randn(rng, 2, 33, 70);
             Tensor y = Functional.generatedLinear(x, wq, null, phi, psi, 2f, d);
             Tensor yr = Functional.generatedLinear(xr, wd, null, phiR, psiR, 2f, d)) {
            assertClose(yr, y, "y");
            y.backward(g);
            yr.backward(g);
            assertClose(xr.grad(), x.grad(), "dx");
            assertClose(phiR.grad(), phi.grad(), "dphi");
            assertClose(psiR.grad(), psi.grad(), "dpsi");
        }
    }

    @Test
    void aQuantizedWeightIsFrozenAndNotReadAsElements() {
        try (Tensor w = Tensor.randn(new SplittableRandom(3), 8, 64); Tensor wq = w.quantize(QuantFormat.NF4, false)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wq.requiresGrad(true));
            assertTrue(e.getMessage().contains("--quantize"), e.getMessage());
            UnsupportedOperationException r = assertThrows(UnsupportedOperationException.class, wq::toFloatArray);
            assertTrue(r.getMessage().contains("NF4"), r.getMessage());
            assertEquals(8 * 64 / 2 + 8 * 4, wq.storage().byteSize());
        }
    }
}
