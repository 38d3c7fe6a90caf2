package org.wegeft.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.nn.GELU;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Sequential;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

class OptimTest {
    private static void assertClose(double[] expected, Tensor actual, double tol) {
        float[] a = actual.toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], a[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void adamwMatchesHandComputedSteps() {
        double lr = 0.1, b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.05;
        double[] p = {1.0, -2.0};
        double[] m = new double[2];
        double[] v = new double[2];
        double[][] grads = {{0.5, -1.0}, {-0.25, 2.0}, {1.5, 0.1}};
        Tensor t = Tensor.of(new float[] {1f, -2f}).requiresGrad(true);
        try (AdamW opt = new AdamW(List.of(ParamGroup.of(List.of(t), wd)), lr, b1, b2, eps)) {
            for (int s = 1; s <= grads.length; s++) {
                for (int i = 0; i < 2; i++) {
                    double g = grads[s - 1][i];
                    p[i] *= 1 - lr * wd;
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    p[i] -= lr * (m[i] / (1 - Math.pow(b1, s))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, s))) + eps);
                }
                t.setGrad(Tensor.of(new float[] {(float) grads[s - 1][0], (float) grads[s - 1][1]}));
                opt.step();
                assertClose(p, t, 1e-6);
            }
        }
    }

    @Test
    void noDecayGroupLeavesBiasesAndNormsUndecayed() {
        Linear lin = new Linear(3, 2, true, new SplittableRandom(1));
        List<ParamGroup> groups = ParamGroups.decayAndNoDecay(lin, 0.5);
        assertEquals(List.of(List.of(lin.weight()), List.of(lin.bias())), groups.stream().map(ParamGroup::params).toList());
        float[] w0 = lin.weight().toFloatArray();
        float[] b0 = lin.bias().toFloatArray();
        try (AdamW opt = new AdamW(groups, 0.1)) {
            lin.weight().setGrad(Tensor.zeros(2, 3)); // zero gradients: only decay moves the weights
            lin.bias().setGrad(Tensor.zeros(2));
            opt.step();
        }
        float[] w1 = lin.weight().toFloatArray();
        for (int i = 0; i < w0.length; i++) {
            assertEquals(w0[i] * (1 - 0.1f * 0.5f), w1[i], 1e-7);
        }
        assertArrayEquals(b0, lin.bias().toFloatArray());
    }

    @ParameterizedTest(name = "nesterov={0}")
    @CsvSource({"false", "true"})
    void sgdMomentumMatchesHandComputation(boolean nesterov) {
        double lr = 0.1, mu = 0.9, wd = 0.01;
        double[] p = {1.0, 2.0};
        double[] buf = null;
        double[][] grads = {{0.5, -1.0}, {0.25, 0.75}, {-1.0, 0.5}};
        Tensor t = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        try (SGD opt = new SGD(List.of(ParamGroup.of(List.of(t), wd)), lr, mu, 0, nesterov)) {
            for (double[] g : grads) {
                double[] d = {g[0] + wd * p[0], g[1] + wd * p[1]};
                if (buf == null) {
                    buf = d.clone();
                } else {
                    for (int i = 0; i < 2; i++) {
                        buf[i] = mu * buf[i] + d[i];
                    }
                }
                for (int i = 0; i < 2; i++) {
                    p[i] -= lr * (nesterov ? d[i] + mu * buf[i] : buf[i]);
                }
                t.setGrad(Tensor.of(new float[] {(float) g[0], (float) g[1]}));
                opt.step();
                assertClose(p, t, 1e-6);
            }
            assertEquals(8, opt.stateBytes());
        }
    }

    @ParameterizedTest(name = "{0} warmup={1} total={2} min={3} step={4}")
    @CsvSource({
        "CONSTANT, 4, 100, 0, 0, 0.0", "CONSTANT, 4, 100, 0, 2, 0.5", "CONSTANT, 4, 100, 0, 50, 1.0",
        "LINEAR, 10, 100, 0, 0, 0.0", "LINEAR, 10, 100, 0, 5, 0.5", "LINEAR, 10, 100, 0, 10, 1.0",
        "LINEAR, 10, 100, 0, 55, 0.5", "LINEAR, 10, 100, 0, 100, 0.0", "LINEAR, 10, 100, 0, 120, 0.0",
        "COSINE, 10, 100, 0, 5, 0.5", "COSINE, 10, 100, 0, 10, 1.0", "COSINE, 10, 100, 0, 55, 0.5",
        "COSINE, 10, 100, 0, 100, 0.0", "COSINE, 20, 220, 0, 70, 0.8535533905932737",
        "COSINE, 10, 100, 0.1, 55, 0.55", "COSINE, 10, 100, 0.1, 100, 0.1", "COSINE, 0, 100, 0, 0, 1.0"})
    void schedulesMatchHuggingFaceFormulas(LrSchedule.Kind kind, long warmup, long total, double min, long step,
                                           double expected) {
        assertEquals(expected, LrSchedule.of(kind, warmup, total, min).factor(step), 1e-12);
    }

    @Test
    void clipGradNormScalesToMaxNormAndReturnsTheTotal() {
        Tensor a = Tensor.zeros(2).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        Tensor c = Tensor.zeros(3).requiresGrad(true); // no gradient: skipped
        a.setGrad(Tensor.of(new float[] {3f, 4f}));
        b.setGrad(Tensor.of(new float[] {12f}));
        assertEquals(13.0, GradClip.clipGradNorm(List.of(a, b, c), 6.5), 1e-6);
        double coef = 6.5 / (13 + 1e-6);
        assertClose(new double[] {3 * coef, 4 * coef}, a.grad(), 1e-6);
        assertClose(new double[] {12 * coef}, b.grad(), 1e-6);
        assertEquals(6.5, GradClip.gradNorm(List.of(a, b)), 1e-5);
        assertEquals(6.5, GradClip.clipGradNorm(List.of(a, b), 100), 1e-5, "no scaling below the max");
        assertClose(new double[] {12 * coef}, b.grad(), 1e-6);
    }

    @Test
    void frozenParametersGetNoGradientAndNoOptimizerState() {
        SplittableRandom rng = new SplittableRandom(5);
        Linear frozen = new Linear(4, 8, true, rng);
        Linear head = new Linear(8, 2, true, rng);
        Sequential model = new Sequential(frozen, new GELU(), head);
        frozen.requiresGrad(false);
        List<Tensor> all = List.copyOf(model.namedParameters().values()); // the frozen ones given on purpose
        try (AdamW opt = new AdamW(List.of(ParamGroup.of(all, 0.01)), 1e-3)) {
            for (int step = 0; step < 2; step++) {
                try (var s = TensorScope.open()) {
                    model.forward(Tensor.randn(rng, 3, 4)).square().mean().backward();
                    assertNull(frozen.weight().grad(), "frozen weight has no gradient");
                    assertNull(frozen.bias().grad(), "frozen bias has no gradient");
                    assertNotNull(head.weight().grad());
                    opt.step();
                    opt.zeroGrad();
                }
            }
            assertEquals(2L * 4 * (8 * 2 + 2), opt.stateBytes(), "m and v for the head only");
            assertEquals(2 * 2, opt.state(names(model)).tensors().size());
        }
    }

    private static java.util.Map<Tensor, String> names(org.wegeft.nn.Module m) {
        java.util.Map<Tensor, String> n = new java.util.IdentityHashMap<>();
        m.namedParameters().forEach((k, t) -> n.put(t, k));
        return n;
    }
}
