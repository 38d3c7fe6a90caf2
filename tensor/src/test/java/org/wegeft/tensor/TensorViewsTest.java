package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wegeft.kernels.DType;

class TensorViewsTest {

    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    @Test
    void viewsShareStorageAndSeeWrites() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(iota(6), 2, 3);
            Tensor t = x.t();
            Tensor row = x.select(0, 1);
            Tensor e = x.narrow(1, 1, 1).expand(2, 4);
            for (Tensor v : new Tensor[] {t, row, e, x.reshape(3, 2), x.unsqueeze(0), x.permute(1, 0)}) {
                assertTrue(v.sharesStorageWith(x), v.toString());
            }
            x.fillInPlace(7f);
            assertEquals(7f, t.get(2, 1));
            assertEquals(7f, e.get(1, 3));
            assertEquals(0, e.strides()[1], "expand uses stride 0");
        }
    }

    @Test
    void viewsReadTheRightElements() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(iota(24), 2, 3, 4);
            assertEquals(13f, x.get(1, 0, 1));
            assertEquals(13f, x.permute(2, 0, 1).get(1, 1, 0));
            assertEquals(13f, x.transpose(0, 2).get(1, 0, 1));
            assertArrayEquals(new float[] {5, 6, 9, 10}, x.select(0, 0).narrow(0, 1, 2).narrow(1, 1, 2).toFloatArray());
            assertArrayEquals(new float[] {20, 21, 22, 23}, x.select(1, -1).select(0, 1).toFloatArray());
            assertArrayEquals(new long[] {2, 3, 4}, x.unsqueeze(1).squeeze(1).shape());
            assertArrayEquals(new long[] {6, 4}, x.flatten(0, 1).shape());
            assertArrayEquals(new long[] {2, 12}, x.reshape(2, -1).shape());
            assertEquals(23f, x.get(-1, -1, -1));
            assertEquals(0f, Tensor.scalar(0f).item());
        }
    }

    @Test
    void contiguousCopiesPermutedData() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(iota(6), 2, 3);
            Tensor t = x.t();
            assertFalse(t.isContiguous());
            Tensor c = t.contiguous();
            assertTrue(c.isContiguous());
            assertFalse(c.sharesStorageWith(x));
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, c.toFloatArray());
            Tensor cc = c.contiguous();
            assertTrue(cc.sharesStorageWith(c), "contiguous() of a contiguous tensor is a view");
        }
    }

    @Test
    void viewRefusesWhatOnlyReshapeCanDo() {
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.of(iota(6), 2, 3).t();
            assertThrows(ShapeMismatchException.class, () -> t.view(6));
            Tensor r = t.reshape(6);
            assertFalse(r.sharesStorageWith(t));
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toFloatArray());
            Tensor v = Tensor.of(iota(12), 3, 4).narrow(0, 1, 2).view(2, 2, 2);
            assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11}, v.toFloatArray());
        }
    }

    @Test
    void badShapesGetTypedErrors() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            assertThrows(ShapeMismatchException.class, () -> x.add(Tensor.zeros(4)));
            assertThrows(ShapeMismatchException.class, () -> x.matmul(Tensor.zeros(2, 3)));
            assertThrows(ShapeMismatchException.class, () -> x.reshape(4, -1));
            assertThrows(ShapeMismatchException.class, () -> x.expand(3, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> x.narrow(1, 2, 2));
            assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0));
            assertThrows(ShapeMismatchException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
        }
    }

    @Test
    void bf16AndF16RoundTrip() {
        try (TensorScope s = TensorScope.open()) {
            float[] v = {1f, -2.5f, 0.15625f, 1024f, 3.140625f};
            Tensor x = Tensor.of(v);
            for (DType dt : new DType[] {DType.BF16, DType.F16}) {
                Tensor h = x.to(dt);
                assertEquals(dt, h.dtype());
                assertArrayEquals(v, h.to(DType.F32).toFloatArray(), dt.toString());
                assertArrayEquals(v, h.toFloatArray());
                assertEquals(-2.5f, h.get(1));
                // a strided half-precision view converts correctly
                Tensor m = Tensor.of(iota(6), 2, 3).to(dt).t();
                assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, m.toFloatArray());
            }
            float rounded = Tensor.of(new float[] {1.00390625f}).to(DType.BF16).item();
            assertEquals(1f, rounded, "bf16 keeps 8 mantissa bits, rounding to nearest even");
        }
    }

    @Test
    void factoriesAreReproducible() {
        try (TensorScope s = TensorScope.open()) {
            assertArrayEquals(Tensor.randn(42, 3, 4).toFloatArray(), Tensor.randn(42, 3, 4).toFloatArray());
            assertArrayEquals(Tensor.rand(new SplittableRandom(3), 5).toFloatArray(),
                    Tensor.rand(new SplittableRandom(3), 5).toFloatArray());
            float[] u = Tensor.uniform(new SplittableRandom(1), -2f, -1f, 100).toFloatArray();
            for (float f : u) {
                assertTrue(f >= -2f && f < -1f);
            }
            assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toFloatArray());
            assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, Tensor.arange(1f, 3f, 0.5f).toFloatArray());
            assertArrayEquals(new float[] {2.5f, 2.5f}, Tensor.full(2.5f, 2).toFloatArray());
            assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toFloatArray());
            assertArrayEquals(new int[] {4, 5}, Tensor.ofInts(new int[] {4, 5}).toIntArray());
            assertEquals(0, Tensor.scalar(3f).dim());
            assertEquals("Tensor(2, 3) F32", Tensor.zeros(2, 3).toString());
        }
    }

    @Test
    void inPlaceUpdatesAreRefusedOnRecordingTrainableTensors() {
        try (TensorScope s = TensorScope.open()) {
            Tensor w = Tensor.zeros(3).requiresGrad(true);
            assertThrows(IllegalStateException.class, () -> w.fillInPlace(1f));
            try (Grad.Mode g = Grad.disabled()) {
                w.fillInPlace(1f).addInPlace(Tensor.of(new float[] {1, 2, 3}), 2f).mulInPlace(0.5f);
            }
            assertArrayEquals(new float[] {1.5f, 2.5f, 3.5f}, w.toFloatArray());
            Tensor d = Tensor.zeros(2, 3);
            d.copyFrom(Tensor.of(iota(6), 3, 2).t());
            assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, d.toFloatArray());
        }
    }
}
