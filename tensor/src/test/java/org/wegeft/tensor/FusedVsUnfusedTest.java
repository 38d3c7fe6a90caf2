package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each fused op equals its composition from primitive ops, in the forward and in every input gradient. */
class FusedVsUnfusedTest {

    private static Arguments c(String name, Function<List<Tensor>, Tensor> fused, Function<List<Tensor>, Tensor> unfused,
                               long[]... shapes) {
        return Arguments.of(name, fused, unfused, shapes);
    }

    static Tensor layerNormUnfused(Tensor x, Tensor g, Tensor b, float eps) {
        Tensor mu = x.mean(-1, true);
        Tensor xc = x.sub(mu);
        Tensor var = xc.square().mean(-1, true);
        return xc.mul(var.add(eps).rsqrt()).mul(g).add(b);
    }

    static Tensor rmsNormUnfused(Tensor x, Tensor w, float eps) {
        return x.mul(x.square().mean(-1, true).add(eps).rsqrt()).mul(w);
    }

    /** −Σ logp·target / count with target = (1−ε)·onehot + ε/C, zero rows for ignored targets. */
    static Tensor crossEntropyUnfused(Tensor logits, int[] targets, int ignore, float eps) {
        int n = (int) logits.size(0);
        int cl = (int) logits.size(1);
        float[] t = new float[n * cl];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (targets[i] == ignore) {
                continue;
            }
            count++;
            for (int j = 0; j < cl; j++) {
                t[i * cl + j] = eps / cl + (j == targets[i] ? 1 - eps : 0);
            }
        }
        return logits.logSoftmax(-1).mul(Tensor.of(t, n, cl)).sum().mul(-1f / count);
    }

    /** qkv (B, T, 3·H·D) → reshape (B, T, 3, H, D), permute, select q, k, v, attention, merge (B, T, H·D). */
    static Tensor packedUnfused(Tensor qkv, int heads, boolean causal, float scale) {
        long b = qkv.size(0);
        long t = qkv.size(1);
        long d = qkv.size(2) / 3 / heads;
        Tensor heads5 = qkv.reshape(b, t, 3, heads, d).permute(2, 0, 3, 1, 4);
        Tensor o = Functional.scaledDotProductAttention(heads5.select(0, 0), heads5.select(0, 1), heads5.select(0, 2),
                causal, scale);
        return o.permute(0, 2, 1, 3).reshape(b, t, heads * d);
    }

    static Tensor attentionUnfused(Tensor q, Tensor k, Tensor v, boolean causal) {
        int rep = (int) (q.size(1) / k.size(1));
        if (rep > 1) {
            k = Functional.repeatKv(k, rep);
            v = Functional.repeatKv(v, rep);
        }
        long tq = q.size(-2);
        long tk = k.size(-2);
        Tensor scores = q.matmul(k.transpose(-1, -2)).mul((float) (1 / Math.sqrt(q.size(-1))));
        if (causal) {
            float[] m = new float[(int) (tq * tk)];
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    m[(int) (i * tk + j)] = j > i + tk - tq ? -1e9f : 0f;
                }
            }
            scores = scores.add(Tensor.of(m, tq, tk));
        }
        return scores.softmax(-1).matmul(v);
    }

    static Tensor ropeUnfused(Tensor x, Tensor cosFull, Tensor sinFull) {
        long h = x.size(-1) / 2;
        Tensor x1 = x.narrow(-1, 0, h);
        Tensor x2 = x.narrow(-1, h, h);
        Tensor rot = Functional.cat(List.of(x2.neg(), x1), -1);
        return x.mul(cosFull).add(rot.mul(sinFull));
    }

    static Tensor trigFull(int t, int h, boolean cos) {
        float[] half = GradientCheckTest.trig(t, h, cos);
        float[] full = new float[t * 2 * h];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < 2 * h; i++) {
                full[p * 2 * h + i] = half[p * h + i % h];
            }
        }
        return Tensor.of(full, t, 2 * h);
    }

    static final int[] TARGETS = {3, -100, 0, 5, 5, -100, 1, 2};

    static Stream<Arguments> pairs() {
        return Stream.of(
                c("linear = matmul(Wᵀ) + b", x -> Functional.linear(x.get(0), x.get(1), x.get(2)),
                        x -> x.get(0).matmul(x.get(1).t()).add(x.get(2)), new long[] {2, 5, 6}, new long[] {4, 6},
                        new long[] {4}),
                c("layerNorm = mean/var composition", x -> Functional.layerNorm(x.get(0), x.get(1), x.get(2), 1e-5f),
                        x -> layerNormUnfused(x.get(0), x.get(1), x.get(2), 1e-5f), new long[] {3, 4, 8},
                        new long[] {8}, new long[] {8}),
                c("rmsNorm = rsqrt(mean x²) composition", x -> Functional.rmsNorm(x.get(0), x.get(1), 1e-6f),
                        x -> rmsNormUnfused(x.get(0), x.get(1), 1e-6f), new long[] {5, 8}, new long[] {8}),
                c("crossEntropy = logSoftmax + gather (ignore, smoothing)",
                        x -> GradientCheckTest.ce(x.get(0), TARGETS, -100, 0.1f),
                        x -> crossEntropyUnfused(x.get(0), TARGETS, -100, 0.1f), new long[] {8, 6}),
                c("sdpa = matmul/softmax/matmul", x -> Functional.scaledDotProductAttention(x.get(0), x.get(1), x.get(2),
                        false), x -> attentionUnfused(x.get(0), x.get(1), x.get(2), false), new long[] {2, 2, 5, 4},
                        new long[] {2, 2, 6, 4}, new long[] {2, 2, 6, 4}),
                c("sdpa causal GQA = masked composition", x -> Functional.scaledDotProductAttention(x.get(0), x.get(1),
                        x.get(2), true), x -> attentionUnfused(x.get(0), x.get(1), x.get(2), true),
                        new long[] {1, 4, 6, 4}, new long[] {1, 2, 6, 4}, new long[] {1, 2, 6, 4}),
                c("sdpa causal Tq < Tk = masked composition", x -> Functional.scaledDotProductAttention(x.get(0),
                        x.get(1), x.get(2), true), x -> attentionUnfused(x.get(0), x.get(1), x.get(2), true),
                        new long[] {1, 2, 3, 4}, new long[] {1, 2, 7, 4}, new long[] {1, 2, 7, 4}),
                c("packedQkvAttention = split heads/sdpa/merge", x -> Functional.packedQkvAttention(x.get(0), 3, false,
                        0.4f), x -> packedUnfused(x.get(0), 3, false, 0.4f), new long[] {2, 7, 3 * 3 * 4}),
                c("packedQkvAttention causal = split heads/sdpa/merge", x -> Functional.packedQkvAttention(x.get(0), 2,
                        true, 0.5f), x -> packedUnfused(x.get(0), 2, true, 0.5f), new long[] {3, 5, 3 * 2 * 8}),
                c("gelu tanh = 0.5x(1+tanh(√(2/π)(x+0.044715x³)))", x -> Functional.gelu(x.get(0), true),
                        x -> x.get(0).mul(0.5f).mul(x.get(0).pow(3f).mul(0.044715f).add(x.get(0))
                                .mul((float) Math.sqrt(2 / Math.PI)).tanh().add(1f)), new long[] {4, 5}),
                c("silu = x·sigmoid(x)", x -> x.get(0).silu(), x -> x.get(0).mul(x.get(0).sigmoid()), new long[] {3, 7}),
                c("siluMul = silu(gate)·up", x -> Functional.siluMul(x.get(0), x.get(1)),
                        x -> x.get(0).silu().mul(x.get(1)), new long[] {3, 37}, new long[] {3, 37}),
                c("logSoftmax = log(softmax)", x -> x.get(0).logSoftmax(1), x -> x.get(0).softmax(1).log(),
                        new long[] {3, 5, 2}),
                c("causal softmax = masked softmax", x -> SoftmaxOp.apply(x.get(0), true),
                        x -> x.get(0).add(Tensor.of(new float[] {0, -1e9f, -1e9f, 0, 0, -1e9f, 0, 0, 0}, 3, 3)).softmax(-1),
                        new long[] {2, 3, 3}),
                c("lowRankEdit = x + s·(x aᵀ) b", x -> Functional.lowRankEdit(x.get(0), x.get(1), x.get(2), 0.7f),
                        x -> x.get(0).add(Functional.linear(x.get(0), x.get(1), null).matmul(x.get(2)).mul(0.7f)),
                        new long[] {2, 5, 6}, new long[] {3, 6}, new long[] {3, 6}),
                c("lowRankEdit, wide = composition (rank-r GEMM shapes)", x -> Functional.lowRankEdit(x.get(0), x.get(1),
                        x.get(2), -1.5f), x -> x.get(0).add(Functional.linear(x.get(0), x.get(1), null).matmul(x.get(2))
                                .mul(-1.5f)), new long[] {67, 40}, new long[] {16, 40}, new long[] {16, 40}),
                c("rope = x·cos + rotate_half(x)·sin", x -> Functional.rope(x.get(0), trigFull(3, 2, true),
                        trigFull(3, 2, false)), x -> ropeUnfused(x.get(0), trigFull(3, 2, true), trigFull(3, 2, false)),
                        new long[] {2, 2, 3, 4}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void fusedEqualsComposition(String name, Function<List<Tensor>, Tensor> fused, Function<List<Tensor>, Tensor> unfused,
                                long[][] shapes) {
        try (TensorScope s = TensorScope.open()) {
            List<float[]> a = run(fused, shapes);
            List<float[]> b = run(unfused, shapes);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                String what = name + (i == 0 ? " forward" : " grad of input " + (i - 1));
                assertArrayEquals(b.get(i), a.get(i), 2e-5f * (1 + maxAbs(b.get(i))), what);
            }
        }
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }

    /** [output, grad of each input] for L = Σ out·R. */
    private static List<float[]> run(Function<List<Tensor>, Tensor> f, long[][] shapes) {
        List<Tensor> xs = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            xs.add(Tensor.randn(100 + i, shapes[i]).requiresGrad(true));
        }
        Tensor out = f.apply(xs);
        out.mul(Tensor.of(GradCheck.weights(out.numel()), out.shape())).sum().backward();
        List<float[]> res = new ArrayList<>();
        res.add(out.toFloatArray());
        for (Tensor x : xs) {
            res.add(x.grad().toFloatArray());
        }
        return res;
    }
}
