package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuTestSupport.CPU;
import static org.wegeft.kernels.cpu.CpuTestSupport.assertClose;
import static org.wegeft.kernels.cpu.CpuTestSupport.seg;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CpuAdamWTest {

    static int[] sizes() {
        return new int[] {1, 3, 7, 33, 257, 40_001};
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void threeAdamWStepsMatchDoubleReference(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        float[] p = CpuTestSupport.random(rnd, n, -1, 1);
        float[] m = new float[n];
        float[] v = new float[n];
        double[] wp = new double[n];
        double[] wm = new double[n];
        double[] wv = new double[n];
        for (int i = 0; i < n; i++) {
            wp[i] = p[i];
        }
        float lr = 1e-2f;
        float b1 = 0.9f;
        float b2 = 0.999f;
        float eps = 1e-8f;
        float wd = 0.01f;
        for (int step = 1; step <= 3; step++) {
            float[] g = CpuTestSupport.random(rnd, n, -1, 1);
            CPU.adamw(seg(p), seg(g), seg(m), seg(v), n, lr, b1, b2, eps, wd, step);
            for (int i = 0; i < n; i++) {
                wp[i] *= 1 - (double) lr * wd;
                wm[i] = b1 * wm[i] + (1 - (double) b1) * g[i];
                wv[i] = b2 * wv[i] + (1 - (double) b2) * g[i] * g[i];
                double mh = wm[i] / (1 - Math.pow(b1, step));
                double vh = wv[i] / (1 - Math.pow(b2, step));
                wp[i] -= lr * mh / (Math.sqrt(vh) + eps);
            }
        }
        assertClose("param", wp, p, 1e-6, 1e-5);
        assertClose("m", wm, m, 1e-6, 1e-5);
        assertClose("v", wv, v, 1e-7, 1e-5);
    }
}
