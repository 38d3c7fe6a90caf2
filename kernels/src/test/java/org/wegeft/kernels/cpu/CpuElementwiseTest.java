package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wegeft.kernels.cpu.CpuTestSupport.CPU;
import static org.wegeft.kernels.cpu.CpuTestSupport.assertClose;
import static org.wegeft.kernels.cpu.CpuTestSupport.seg;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.UnaryOp;

class CpuElementwiseTest {
    private static final double K = Math.sqrt(2 / Math.PI);

    static double ref(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
            case SQUARE -> x * x;
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case RELU -> Math.max(0, x);
            case GELU_ERF -> 0.5 * x * (1 + CpuTestSupport.erf(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(K * (x + 0.044715 * x * x * x)));
            case SILU -> x / (1 + Math.exp(-x));
        };
    }

    static double refGrad(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -1;
            case ABS -> Math.signum(x);
            case EXP -> Math.exp(x);
            case LOG -> 1 / x;
            case SQRT -> 0.5 / Math.sqrt(x);
            case RSQRT -> -0.5 * Math.pow(x, -1.5);
            case RECIPROCAL -> -1 / (x * x);
            case SQUARE -> 2 * x;
            case TANH -> 1 - Math.tanh(x) * Math.tanh(x);
            case SIGMOID -> { double s = 1 / (1 + Math.exp(-x)); yield s * (1 - s); }
            case RELU -> x > 0 ? 1 : 0;
            case GELU_ERF -> 0.5 * (1 + CpuTestSupport.erf(x / Math.sqrt(2)))
                    + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
            case GELU_TANH -> {
                double t = Math.tanh(K * (x + 0.044715 * x * x * x));
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * 0.044715 * x * x);
            }
            case SILU -> { double s = 1 / (1 + Math.exp(-x)); yield s * (1 + x * (1 - s)); }
        };
    }

    /** Inputs inside each op's domain. */
    static float[] input(UnaryOp op, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        return switch (op) {
            case LOG, SQRT, RSQRT -> CpuTestSupport.random(rnd, n, 0.05, 20);
            case RECIPROCAL -> CpuTestSupport.random(rnd, n, 0.2, 5);
            case EXP -> CpuTestSupport.random(rnd, n, -20, 20);
            default -> CpuTestSupport.random(rnd, n, -8, 8);
        };
    }

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : new int[] {1, 3, 7, 33, 257, 40_003}) {
                list.add(Arguments.of(op, n));
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("cases")
    void unaryMatchesDoubleReference(UnaryOp op, int n) {
        float[] x = input(op, n, n * 31L + op.ordinal());
        float[] y = new float[n];
        CPU.unary(op, seg(x), seg(y), n);
        double[] want = new double[n];
        for (int i = 0; i < n; i++) {
            want[i] = ref(op, x[i]);
        }
        assertClose(op + " forward", want, y, 2e-6, 2e-6);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("cases")
    void unaryBackwardIsUpstreamTimesDerivative(UnaryOp op, int n) {
        float[] x = input(op, n, n * 17L + op.ordinal());
        float[] dy = CpuTestSupport.random(new SplittableRandom(n), n, -2, 2);
        float[] dx = new float[n];
        CPU.unaryBackward(op, seg(x), seg(dy), seg(dx), n);
        double[] want = new double[n];
        for (int i = 0; i < n; i++) {
            want[i] = dy[i] * refGrad(op, x[i]);
        }
        assertClose(op + " backward", want, dx, 1e-5, 1e-5);
    }

    @Test
    void unaryInPlaceEqualsOutOfPlace() {
        float[] x = input(UnaryOp.GELU_TANH, 1000, 5);
        float[] y = new float[1000];
        CPU.unary(UnaryOp.GELU_TANH, seg(x), seg(y), 1000);
        CPU.unary(UnaryOp.GELU_TANH, seg(x), seg(x), 1000);
        assertTrue(java.util.Arrays.equals(x, y));
    }

    @Test
    void erfIsAccurateToAboutOneTenMillionth() {
        int n = 200_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -6f + 12f * i / (n - 1);
        }
        float[] y = new float[n];
        var in = seg(x);
        var out = seg(y);
        // erf through GELU_ERF: erf(x/√2) = 2·gelu(x)/x − 1 loses precision; test CpuVec.erf directly
        var s = CpuVec.F;
        for (int i = 0; i + s.length() <= n; i += s.length()) {
            CpuVec.st(out, i, CpuVec.erf(CpuVec.ld(in, i)));
        }
        double worst = 0;
        for (int i = 0; i + s.length() <= n; i++) {
            worst = Math.max(worst, Math.abs(y[i] - CpuTestSupport.erf(x[i])));
        }
        assertTrue(worst < 1.5e-7, "max |erf error| = " + worst);
    }

    @Test
    void reluGradientAtZeroIsZeroAndAbsGradientAtZeroIsZero() {
        float[] x = {0f, -0f, 1f};
        float[] dy = {1f, 1f, 1f};
        float[] dx = new float[3];
        CPU.unaryBackward(UnaryOp.RELU, seg(x), seg(dy), seg(dx), 3);
        assertClose("relu'", new double[] {0, 0, 1}, dx, 0);
        CPU.unaryBackward(UnaryOp.ABS, seg(x), seg(dy), seg(dx), 3);
        assertClose("abs'", new double[] {0, 0, 1}, dx, 0);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void affineAndFillCoverEveryElement(int n) {
        float[] x = CpuTestSupport.random(new SplittableRandom(n), n, -3, 3);
        float[] y = new float[n + 1];
        y[n] = 42f;
        CPU.affine(seg(x), seg(y), n, -1.5f, 0.25f);
        double[] want = new double[n + 1];
        for (int i = 0; i < n; i++) {
            want[i] = x[i] * -1.5 + 0.25;
        }
        want[n] = 42;
        assertClose("affine", want, y, 1e-6);
        CPU.fill(seg(y), n, 7f);
        java.util.Arrays.fill(want, 0, n, 7);
        assertClose("fill", want, y, 0);
    }

    static int[] sizes() {
        return new int[] {0, 1, 3, 7, 33, 257, 70_001};
    }

    @Test
    void unaryIsBitIdenticalRunToRun() {
        int n = 300_007;
        float[] x = input(UnaryOp.GELU_ERF, n, 9);
        float[] a = new float[n];
        float[] b = new float[n];
        for (UnaryOp op : new UnaryOp[] {UnaryOp.GELU_ERF, UnaryOp.SILU}) {
            CPU.unary(op, seg(x), seg(a), n);
            CPU.unary(op, seg(x), seg(b), n);
            assertTrue(java.util.Arrays.equals(a, b), op + " differs between runs");
        }
    }
}
