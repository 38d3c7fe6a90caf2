package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.WeightDropout;

/**
 * A frozen weight used in its own dtype (linear forward, input gradient, embedding lookup) gives the bits of its
 * float32 copy; a linear with weight dropout equals the same layer over the explicitly dropped weight.
 */
class WeightOperandTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "F16"})
    void halfWeightLinearEqualsItsFloatCopyBitForBit(DType dtype) {
        SplittableRandom rng = new SplittableRandom(3);
        try (Tensor w32 = Tensor.randn(rng, 300, 70); Tensor half = w32.to(dtype); Tensor wide = half.to(DType.F32);
             Tensor b = Tensor.randn(rng, 300)) {
            for (long rows : new long[] {1, 5, 64}) {
                try (Tensor x = Tensor.randn(rng, rows, 70).requiresGrad(true);
                     Tensor xr = x.detach().requiresGrad(true);
                     Tensor y = Functional.linear(x, half, b); Tensor yr = Functional.linear(xr, wide, b);
                     Tensor g = Tensor.randn(rng, rows, 300)) {
                    assertArrayEquals(yr.toFloatArray(), y.toFloatArray(), "forward, rows " + rows);
                    y.backward(g);
                    yr.backward(g);
                    assertArrayEquals(xr.grad().toFloatArray(), x.grad().toFloatArray(), "input gradient, rows " + rows);
                }
            }
        }
    }

    @Test
    void halfEmbeddingLooksUpTheWidenedRows() {
        try (Tensor table = Tensor.randn(5, 50, 16); Tensor half = table.to(DType.BF16); Tensor wide = half.to(DType.F32);
             Tensor ids = Tensor.ofInts(new int[] {3, 49, 0, 3}, 2, 2);
             Tensor e = Functional.embedding(ids, half); Tensor er = Functional.embedding(ids, wide)) {
            assertArrayEquals(er.toFloatArray(), e.toFloatArray());
            try (Tensor bad = Tensor.ofInts(new int[] {1, 50}, 2)) {
                var ex = assertThrows(IndexOutOfBoundsException.class, () -> Functional.embedding(bad, half));
                assertTrue(ex.getMessage().contains("50") && ex.getMessage().contains("position 1"), ex.getMessage());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void linearWithWeightDropoutEqualsTheLayerOverTheDroppedWeight(DType dtype) {
        SplittableRandom rng = new SplittableRandom(11);
        WeightDropout d = new WeightDropout(rng.nextLong(), 0.1f);
        try (Tensor w32 = Tensor.randn(rng, 96, 80); Tensor w = w32.to(dtype); Tensor wide = w.to(DType.F32)) {
            float[] dropped = wide.toFloatArray();
            int zeros = 0;
            for (int e = 0; e < dropped.length; e++) {
                dropped[e] = d.apply(e, dropped[e]);
                zeros += dropped[e] == 0f ? 1 : 0;
            }
            assertTrue(zeros > 400 && zeros < 1100, "dropped " + zeros + " of " + dropped.length);
            // phi plays the input, as in WeGeFT's generator: (r, d_in) · drop(W)ᵀ
            try (Tensor wd = Tensor.of(dropped, 96, 80);
                 Tensor phi = Tensor.randn(rng, 16, 80).requiresGrad(true);
                 Tensor phiR = phi.detach().requiresGrad(true);
                 Tensor y = Functional.linear(phi, w, null, d); Tensor yr = Functional.linear(phiR, wd, null);
                 Tensor g = Tensor.randn(rng, 16, 96)) {
                assertClose(yr.toFloatArray(), y.toFloatArray(), "forward");
                y.backward(g);
                yr.backward(g);
                assertClose(phiR.grad().toFloatArray(), phi.grad().toFloatArray(), "input gradient");
            }
        }
    }

    @Test
    void weightDropoutRefusesATrainableWeight() {
        try (Tensor w = Tensor.randn(1, 8, 4).requiresGrad(true); Tensor x = Tensor.randn(2, 3, 4)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Functional.linear(x, w, null, new WeightDropout(1, 0.1f)));
            assertTrue(e.getMessage().contains("frozen"), e.getMessage());
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4f * (1 + Math.abs(expected[i])), what + " element " + i);
        }
    }
}
