package org.wegeft.tensor;

import static org.wegeft.tensor.GradCheck.In;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Finite-difference gradient check of every differentiable op, views and broadcasting included. */
class GradientCheckTest {

    private static Arguments c(String name, Function<List<Tensor>, Tensor> f, In... inputs) {
        return Arguments.of(name, f, inputs);
    }

    private static In r(long seed, long... shape) {
        return In.rand(seed, shape);
    }

    /** Positive values in [0.5, 1.5) (log, sqrt, div, pow). */
    private static In pos(long seed, long... shape) {
        In in = In.rand(seed, shape);
        float[] v = in.values();
        for (int i = 0; i < v.length; i++) {
            v[i] = 1f + v[i] * 0.5f;
        }
        return in;
    }

    /** Values whose pairwise gaps exceed the finite-difference step (max, relu, abs kinks). */
    private static In spread(long seed, long... shape) {
        int n = (int) Shapes.numel(shape);
        float[] v = new float[n];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2f) * 0.13f + 0.05f;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return new In(v, shape);
    }

    static Stream<Arguments> ops() {
        return Stream.of(
                c("add broadcast (2,3,4)+(3,1)", x -> x.get(0).add(x.get(1)), r(1, 2, 3, 4), r(2, 3, 1)),
                c("sub broadcast (4)-(2,3,4)", x -> x.get(0).sub(x.get(1)), r(3, 4), r(4, 2, 3, 4)),
                c("mul broadcast (2,1,4)*(3,1)", x -> x.get(0).mul(x.get(1)), r(5, 2, 1, 4), r(6, 3, 1)),
                c("div broadcast (2,3)/(3)", x -> x.get(0).div(x.get(1)), r(7, 2, 3), pos(8, 3)),
                c("mul same tensor twice", x -> x.get(0).mul(x.get(0)), r(9, 5)),
                c("scalar affine", x -> x.get(0).mul(3f).add(1f).sub(2f).div(4f), r(10, 6)),
                c("pow 3", x -> x.get(0).pow(3f), r(11, 6)),
                c("pow -0.5", x -> x.get(0).pow(-0.5f), pos(12, 6)),
                c("neg", x -> x.get(0).neg(), r(13, 5)),
                c("exp", x -> x.get(0).exp(), r(14, 5)),
                c("log", x -> x.get(0).log(), pos(15, 5)),
                c("sqrt", x -> x.get(0).sqrt(), pos(16, 5)),
                c("rsqrt", x -> x.get(0).rsqrt(), pos(17, 5)),
                c("reciprocal", x -> x.get(0).reciprocal(), pos(18, 5)),
                c("square", x -> x.get(0).square(), r(19, 5)),
                c("abs", x -> x.get(0).abs(), spread(20, 8)),
                c("tanh", x -> x.get(0).tanh(), r(21, 5)),
                c("sigmoid", x -> x.get(0).sigmoid(), r(22, 5)),
                c("relu", x -> x.get(0).relu(), spread(23, 8)),
                c("gelu erf", x -> Functional.gelu(x.get(0), false), r(24, 7)),
                c("gelu tanh", x -> Functional.gelu(x.get(0), true), r(25, 7)),
                c("silu", x -> x.get(0).silu(), r(26, 7)),
                c("siluMul", x -> Functional.siluMul(x.get(0), x.get(1)), r(26, 7), r(27, 7)),
                c("sum all", x -> x.get(0).sum(), r(27, 2, 3)),
                c("sum dim 1 keepdim", x -> x.get(0).sum(1, true), r(28, 2, 3, 4)),
                c("sum dims {0,2}", x -> x.get(0).sum(new int[] {0, 2}, false), r(29, 2, 3, 4)),
                c("mean dim -1", x -> x.get(0).mean(-1, false), r(30, 3, 4)),
                c("mean all", x -> x.get(0).mean(), r(31, 3, 4)),
                c("max dim 1", x -> x.get(0).max(1, false), spread(32, 3, 5)),
                c("max dim 0 keepdim", x -> x.get(0).max(0, true), spread(33, 4, 3)),
                c("max all", x -> x.get(0).max(), spread(34, 2, 3)),
                c("permute then mul", x -> x.get(0).permute(2, 0, 1).mul(x.get(1)), r(35, 2, 3, 4), r(36, 4, 2, 3)),
                c("transpose then matmul", x -> x.get(0).transpose(0, 1).matmul(x.get(1)), r(37, 3, 2), r(38, 3, 4)),
                c("narrow then exp", x -> x.get(0).narrow(1, 1, 2).exp(), r(39, 3, 4)),
                c("slice then square", x -> x.get(0).slice(0, 1, 3).square(), r(40, 4, 2)),
                c("select then mul", x -> x.get(0).select(1, 2).mul(x.get(1)), r(41, 3, 4), r(42, 3)),
                c("expand then mul", x -> x.get(0).expand(2, 3, 4).mul(x.get(1)), r(43, 3, 1), r(44, 2, 3, 4)),
                c("unsqueeze/squeeze/reshape", x -> x.get(0).unsqueeze(0).reshape(3, 2).squeeze().tanh(), r(45, 2, 3)),
                c("reshape of non-contiguous", x -> x.get(0).t().reshape(6).exp(), r(46, 2, 3)),
                c("contiguous of permuted", x -> x.get(0).permute(1, 0).contiguous().mul(2f), r(47, 2, 3)),
                c("matmul 2D", x -> x.get(0).matmul(x.get(1)), r(48, 3, 4), r(49, 4, 5)),
                c("matmul transA", x -> x.get(0).t().matmul(x.get(1)), r(50, 4, 3), r(51, 4, 5)),
                c("matmul transB", x -> x.get(0).matmul(x.get(1).t()), r(52, 3, 4), r(53, 5, 4)),
                c("matmul transA transB", x -> x.get(0).t().matmul(x.get(1).t()), r(54, 4, 3), r(55, 5, 4)),
                c("matmul batched", x -> x.get(0).matmul(x.get(1)), r(56, 2, 3, 4), r(57, 2, 4, 2)),
                c("matmul (B,T,C)·(C,D)", x -> x.get(0).matmul(x.get(1)), r(58, 2, 3, 4), r(59, 4, 5)),
                c("matmul (M,K)·(B,K,N)", x -> x.get(0).matmul(x.get(1)), r(60, 3, 4), r(61, 2, 4, 2)),
                c("matmul batch broadcast (2,1,..)·(1,3,..)", x -> x.get(0).matmul(x.get(1)),
                        r(62, 2, 1, 2, 3), r(63, 1, 3, 3, 2)),
                c("matmul batched transB (attention scores)",
                        x -> x.get(0).matmul(x.get(1).transpose(-1, -2)), r(64, 2, 2, 3, 4), r(65, 2, 2, 5, 4)),
                c("linear with bias", x -> Functional.linear(x.get(0), x.get(1), x.get(2)), r(66, 2, 3, 4), r(67, 5, 4),
                        r(68, 5)),
                c("linear no bias 2D", x -> Functional.linear(x.get(0), x.get(1), null), r(69, 3, 4), r(70, 2, 4)),
                c("linear 1D input", x -> Functional.linear(x.get(0), x.get(1), x.get(2)), r(71, 4), r(72, 3, 4),
                        r(73, 3)),
                c("softmax last", x -> x.get(0).softmax(-1), r(74, 3, 5)),
                c("softmax dim 0", x -> x.get(0).softmax(0), r(75, 3, 4)),
                c("logSoftmax last", x -> x.get(0).logSoftmax(-1), r(76, 3, 5)),
                c("logSoftmax dim 1 of 3D", x -> x.get(0).logSoftmax(1), r(77, 2, 3, 4)),
                c("layerNorm affine", x -> Functional.layerNorm(x.get(0), x.get(1), x.get(2), 1e-5f), r(78, 3, 6),
                        r(79, 6), r(80, 6)),
                c("layerNorm plain", x -> Functional.layerNorm(x.get(0), null, null, 1e-5f), r(81, 2, 2, 5)),
                c("rmsNorm", x -> Functional.rmsNorm(x.get(0), x.get(1), 1e-6f), r(82, 3, 6), r(83, 6)),
                c("embedding", x -> {
                    try (Tensor ids = Tensor.ofInts(new int[] {2, 0, 2, 3, 1, 2}, 2, 3)) {
                        return Functional.embedding(ids, x.get(0));
                    }
                }, r(84, 5, 3)),
                c("crossEntropy", x -> ce(x.get(0), new int[] {1, 0, 3, 2}, -100, 0f), r(85, 4, 5)),
                c("crossEntropy ignoreIndex", x -> ce(x.get(0), new int[] {1, -100, 3, -100}, -100, 0f), r(86, 4, 5)),
                c("crossEntropy labelSmoothing", x -> ce(x.get(0), new int[] {1, 0, 4, 2}, -100, 0.1f), r(87, 4, 5)),
                c("crossEntropy ignore + smoothing, (B,T,C)", x -> ce(x.get(0), new int[] {1, 7, 3, 0, 7, 2}, 7, 0.2f),
                        r(88, 2, 3, 4)),
                c("sdpa", x -> Functional.scaledDotProductAttention(x.get(0), x.get(1), x.get(2), false),
                        r(89, 1, 2, 3, 4), r(90, 1, 2, 4, 4), r(91, 1, 2, 4, 4)),
                c("sdpa causal", x -> Functional.scaledDotProductAttention(x.get(0), x.get(1), x.get(2), true),
                        r(92, 2, 1, 4, 3), r(93, 2, 1, 4, 3), r(94, 2, 1, 4, 3)),
                c("sdpa causal Tq < Tk (cache)", x -> Functional.scaledDotProductAttention(x.get(0), x.get(1), x.get(2),
                        true, 0.7f), r(95, 1, 2, 2, 3), r(96, 1, 2, 4, 3), r(97, 1, 2, 4, 3)),
                c("sdpa GQA 4 heads over 2", x -> Functional.scaledDotProductAttention(x.get(0), x.get(1), x.get(2),
                        true), r(98, 1, 4, 3, 2), r(99, 1, 2, 3, 2), r(100, 1, 2, 3, 2)),
                c("packed qkv attention", x -> Functional.packedQkvAttention(x.get(0), 2, false, 0.6f),
                        r(140, 2, 3, 3 * 2 * 2)),
                c("packed qkv attention causal", x -> Functional.packedQkvAttention(x.get(0), 1, true, 0.5f),
                        r(141, 1, 4, 3 * 3)),
                c("rope", x -> {
                    try (Tensor cos = Tensor.of(trig(3, 2, true), 3, 2); Tensor sin = Tensor.of(trig(3, 2, false), 3, 2)) {
                        return Functional.rope(x.get(0), cos, sin);
                    }
                }, r(101, 1, 2, 3, 4)),
                c("cat dim 1", x -> Functional.cat(List.of(x.get(0), x.get(1)), 1), r(102, 2, 2, 3), r(103, 2, 1, 3)),
                c("cat dim 0 three parts", x -> Functional.cat(List.of(x.get(0), x.get(1), x.get(0)), 0), r(104, 1, 3),
                        r(105, 2, 3)),
                c("lowRankEdit", x -> Functional.lowRankEdit(x.get(0), x.get(1), x.get(2), 0.8f), r(130, 2, 3, 5),
                        r(131, 2, 5), r(132, 2, 5)),
                c("lowRankEdit, edit of a non-leaf (grad into g in place)", x -> Functional.lowRankEdit(
                        x.get(0).mul(2f), x.get(1), x.get(2), 1.3f).mul(x.get(0)), r(133, 4, 5), r(134, 3, 5), r(135, 3, 5)),
                c("stack dim 1", x -> Functional.stack(List.of(x.get(0), x.get(1)), 1), r(106, 2, 3), r(107, 2, 3)),
                c("dropout (fixed mask)", x -> Functional.dropout(x.get(0), 0.4f, true, new SplittableRandom(5)),
                        r(108, 10)),
                c("to(F32) identity grad", x -> x.get(0).to(org.wegeft.kernels.DType.F32).mul(x.get(0)), r(109, 4)),
                c("two-layer MLP", x -> Functional.linear(Functional.gelu(Functional.linear(x.get(0), x.get(1), x.get(2)),
                        false), x.get(3), null).square().mean(), r(110, 2, 3), r(111, 4, 3), r(112, 4), r(113, 2, 4)));
    }

    static Tensor ce(Tensor logits, int[] targets, int ignore, float smoothing) {
        long[] ts = new long[logits.dim() - 1];
        System.arraycopy(logits.shape(), 0, ts, 0, ts.length);
        try (Tensor t = Tensor.ofInts(targets, ts)) {
            return Functional.crossEntropy(logits, t, ignore, smoothing);
        }
    }

    static float[] trig(int t, int h, boolean cos) {
        float[] v = new float[t * h];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < h; i++) {
                double ang = p * Math.pow(10000, -2.0 * i / (2 * h));
                v[p * h + i] = (float) (cos ? Math.cos(ang) : Math.sin(ang));
            }
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void backwardMatchesFiniteDifferences(String name, Function<List<Tensor>, Tensor> f, In[] inputs) {
        GradCheck.check(name, f, inputs);
    }
}
