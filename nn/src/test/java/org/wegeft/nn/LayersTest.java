package org.wegeft.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.tensor.testing.TensorFixtures.assertRelClose;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

class LayersTest {
    private final SplittableRandom rng = new SplittableRandom(7);

    @Test
    void embeddingPicksRowsOfAStandardNormalTable() {
        try (var s = TensorScope.open()) {
            Embedding e = new Embedding(5, 3, rng);
            Tensor out = e.forward(Tensor.ofInts(new int[] {4, 0, 4}, 3));
            float[] w = e.weight().toFloatArray();
            float[] o = out.toFloatArray();
            for (int j = 0; j < 3; j++) {
                assertEquals(w[12 + j], o[j]);
                assertEquals(w[j], o[3 + j]);
            }
            assertEquals(List.of("weight"), List.copyOf(e.namedParameters().keySet()));
        }
    }

    @Test
    void layerNormEqualsItsComposition() {
        try (var s = TensorScope.open()) {
            LayerNorm ln = new LayerNorm(6, 1e-5f, true);
            ln.loadStateDict(java.util.Map.of("weight", Tensor.randn(rng, 6), "bias", Tensor.randn(rng, 6)), true);
            Tensor x = Tensor.randn(rng, 3, 2, 6);
            Tensor mu = x.mean(-1, true);
            Tensor d = x.sub(mu);
            Tensor var = d.square().mean(-1, true);
            Tensor ref = d.mul(var.add(1e-5f).rsqrt()).mul(ln.namedParameters().get("weight"))
                    .add(ln.namedParameters().get("bias"));
            assertRelClose("layer norm", ref, ln.forward(x), 1e-5);
            assertEquals(0, new LayerNorm(6, 1e-5f, false).namedParameters().size());
        }
    }

    @Test
    void rmsNormEqualsHuggingFaceFormula() {
        try (var s = TensorScope.open()) {
            RMSNorm n = new RMSNorm(6, 1e-6f);
            n.loadStateDict(java.util.Map.of("weight", Tensor.randn(rng, 6)), true);
            Tensor x = Tensor.randn(rng, 4, 2, 6);
            Tensor ref = x.mul(x.square().mean(-1, true).add(1e-6f).rsqrt()).mul(n.namedParameters().get("weight"));
            assertRelClose("rms norm", ref, n.forward(x), 1e-5);
        }
    }

    @Test
    void activationsMatchFunctional() {
        try (var s = TensorScope.open()) {
            Tensor x = Tensor.randn(rng, 9, 5);
            assertArrayEquals(Functional.gelu(x, false).toFloatArray(), new GELU().forward(x).toFloatArray());
            assertArrayEquals(Functional.gelu(x, true).toFloatArray(),
                    new GELU(GELU.Approximate.TANH).forward(x).toFloatArray());
            Tensor ref = x.mul(x.sigmoid());
            assertRelClose("silu", ref, new SiLU().forward(x), 1e-6);
            assertArrayEquals(x.toFloatArray(), new Identity().forward(x).toFloatArray());
        }
    }

    @Test
    void dropoutZeroesAndRescalesInTrainingAndIsIdentityInEval() {
        try (var s = TensorScope.open()) {
            Dropout d = new Dropout(0.25f, new SplittableRandom(3));
            Tensor x = Tensor.ones(4000);
            float[] y = d.forward(x).toFloatArray();
            int zeros = 0;
            for (float v : y) {
                assertTrue(v == 0f || Math.abs(v - 1f / 0.75f) < 1e-6, "value " + v);
                zeros += v == 0f ? 1 : 0;
            }
            assertTrue(zeros > 850 && zeros < 1150, "about a quarter dropped, got " + zeros);
            d.eval();
            assertArrayEquals(x.toFloatArray(), d.forward(x).toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5f, rng));
        }
    }

    @Test
    void sequentialNamesChildrenByIndexAndChainsForward() {
        try (var s = TensorScope.open()) {
            Linear a = new Linear(3, 4, true, rng);
            Linear b = new Linear(4, 2, false, rng);
            Sequential seq = new Sequential(a, new GELU(), b);
            assertEquals(List.of("0.weight", "0.bias", "2.weight"), List.copyOf(seq.namedParameters().keySet()));
            Tensor x = Tensor.randn(rng, 5, 3);
            assertArrayEquals(b.forward(a.forward(x).gelu()).toFloatArray(), seq.forward(x).toFloatArray());
        }
    }

    @Test
    void splitAndMergeHeadsRoundTripAndMatchManualAttention() {
        try (var s = TensorScope.open()) {
            Tensor q = Tensor.randn(rng, 2, 5, 12);
            Tensor heads = MultiHeadAttention.splitHeads(q, 3);
            assertArrayEquals(new long[] {2, 3, 5, 4}, heads.shape());
            assertEquals(q.get(1, 2, 7), heads.get(1, 1, 2, 3));
            assertArrayEquals(q.toFloatArray(), MultiHeadAttention.mergeHeads(heads).toFloatArray());
            Tensor k = Tensor.randn(rng, 2, 5, 12);
            Tensor v = Tensor.randn(rng, 2, 5, 12);
            Tensor out = MultiHeadAttention.attend(q, k, v, 3, 3, false);
            Tensor kh = MultiHeadAttention.splitHeads(k, 3);
            Tensor vh = MultiHeadAttention.splitHeads(v, 3);
            Tensor ref = heads.matmul(kh.transpose(-1, -2)).mul(0.5f).softmax(-1).matmul(vh);
            assertRelClose("attention", MultiHeadAttention.mergeHeads(ref), out, 1e-5);
        }
    }

    @ParameterizedTest(name = "in={0} out={1} k={2} s={3} p={4} {5}x{6}")
    @CsvSource({"3, 8, 4, 4, 0, 8, 12", "3, 5, 4, 4, 0, 9, 10", "2, 4, 3, 2, 1, 7, 6", "1, 3, 2, 1, 0, 5, 4"})
    void conv2dEqualsANaiveLoop(int in, int out, int k, int stride, int pad, int h, int w) {
        try (var s = TensorScope.open()) {
            Conv2d conv = new Conv2d(in, out, k, stride, pad, true, rng);
            Tensor x = Tensor.randn(rng, 2, in, h, w).requiresGrad(true);
            Tensor y = conv.forward(x);
            float[] ref = naiveConv(x.toFloatArray(), conv.weight().toFloatArray(), conv.bias().toFloatArray(), 2, in,
                    h, w, out, k, stride, pad);
            int ho = (h + 2 * pad - k) / stride + 1;
            int wo = (w + 2 * pad - k) / stride + 1;
            assertArrayEquals(new long[] {2, out, ho, wo}, y.shape());
            assertRelClose("conv", Tensor.of(ref, 2, out, ho, wo), y, 1e-5);
            y.sum().backward();
            assertArrayEquals(x.shape(), x.grad().shape(), "input gradient flows");
            assertArrayEquals(new long[] {2, (long) ho * wo, out}, conv.forwardTokens(x).shape());
        }
    }

    @Test
    void conv2dRejectsBadArgumentsByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(3, 4, 2, 0, 0, true, rng));
        assertTrue(e.getMessage().contains("stride"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 2, 2, -1, true, rng));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
    }

    private static float[] naiveConv(float[] x, float[] wt, float[] b, int n, int c, int h, int w, int o, int k,
                                     int st, int p) {
        int ho = (h + 2 * p - k) / st + 1;
        int wo = (w + 2 * p - k) / st + 1;
        float[] y = new float[n * o * ho * wo];
        for (int bi = 0; bi < n; bi++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double acc = b[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int u = 0; u < k; u++) {
                                for (int v = 0; v < k; v++) {
                                    int r = i * st + u - p;
                                    int q = j * st + v - p;
                                    if (r >= 0 && r < h && q >= 0 && q < w) {
                                        acc += x[((bi * c + ic) * h + r) * w + q] * wt[((oc * c + ic) * k + u) * k + v];
                                    }
                                }
                            }
                        }
                        y[((bi * o + oc) * ho + i) * wo + j] = (float) acc;
                    }
                }
            }
        }
        return y;
    }
}
