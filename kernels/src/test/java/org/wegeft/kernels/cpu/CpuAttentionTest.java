package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class CpuAttentionTest {

    /** Double-precision attention forward and backward, straight from the definition. */
    record Ref(double[] out, double[] lse, double[] dq, double[] dk, double[] dv) {

        static Ref of(float[] q, float[] k, float[] v, float[] dout, int bh, int tq, int tk, int d, double scale,
                      boolean causal) {
            double[] out = new double[bh * tq * d];
            double[] lse = new double[bh * tq];
            double[] dq = new double[bh * tq * d];
            double[] dk = new double[bh * tk * d];
            double[] dv = new double[bh * tk * d];
            for (int h = 0; h < bh; h++) {
                for (int i = 0; i < tq; i++) {
                    int vis = causal ? Math.max(0, Math.min(tk, i + tk - tq + 1)) : tk;
                    double[] p = new double[tk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < vis; j++) {
                        double s = 0;
                        for (int c = 0; c < d; c++) {
                            s += (double) q[(h * tq + i) * d + c] * k[(h * tk + j) * d + c];
                        }
                        p[j] = s * scale;
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < vis; j++) {
                        sum += Math.exp(p[j] - max);
                    }
                    lse[h * tq + i] = vis == 0 ? Double.NEGATIVE_INFINITY : max + Math.log(sum);
                    for (int j = 0; j < vis; j++) {
                        p[j] = Math.exp(p[j] - lse[h * tq + i]);
                        for (int c = 0; c < d; c++) {
                            out[(h * tq + i) * d + c] += p[j] * v[(h * tk + j) * d + c];
                        }
                    }
                    double dd = 0;
                    for (int c = 0; c < d; c++) {
                        dd += dout[(h * tq + i) * d + c] * out[(h * tq + i) * d + c];
                    }
                    for (int j = 0; j < vis; j++) {
                        double dp = 0;
                        for (int c = 0; c < d; c++) {
                            dp += (double) dout[(h * tq + i) * d + c] * v[(h * tk + j) * d + c];
                            dv[(h * tk + j) * d + c] += p[j] * dout[(h * tq + i) * d + c];
                        }
                        double ds = p[j] * (dp - dd) * scale;
                        for (int c = 0; c < d; c++) {
                            dq[(h * tq + i) * d + c] += ds * k[(h * tk + j) * d + c];
                            dk[(h * tk + j) * d + c] += ds * q[(h * tq + i) * d + c];
                        }
                    }
                }
            }
            return new Ref(out, lse, dq, dk, dv);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (int t : CpuTestSupport.ODD_SIZES) {
            if (t > 100) {
                continue;
            }
            list.add(Arguments.of(2, t, t, 16, false));
            list.add(Arguments.of(2, t, t, 7, true));
        }
        list.add(Arguments.of(3, 5, 9, 33, true));      // decode-style: fewer queries than keys
        list.add(Arguments.of(2, 9, 5, 8, true));       // more queries than keys: first rows fully masked
        list.add(Arguments.of(1, 130, 70, 64, false));  // several query blocks
        list.add(Arguments.of(2, 257, 257, 1, true));
        return list.stream();
    }

    @ParameterizedTest(name = "bh={0} tq={1} tk={2} d={3} causal={4}")
    @MethodSource("cases")
    void attentionForwardAndBackwardMatchDoubleReference(int bh, int tq, int tk, int d, boolean causal) {
        SplittableRandom rnd = new SplittableRandom(bh * 1000L + tq * 10L + tk + d);
        float[] q = CpuTestSupport.random(rnd, bh * tq * d, -1, 1);
        float[] k = CpuTestSupport.random(rnd, bh * tk * d, -1, 1);
        float[] v = CpuTestSupport.random(rnd, bh * tk * d, -1, 1);
        float[] dout = CpuTestSupport.random(rnd, bh * tq * d, -1, 1);
        float scale = (float) (1 / Math.sqrt(d));
        float[] out = new float[bh * tq * d];
        float[] lse = new float[bh * tq];
        CPU.attention(seg(q), seg(k), seg(v), seg(out), seg(lse), bh, tq, tk, d, scale, causal);
        float[] dq = new float[bh * tq * d];
        float[] dk = new float[bh * tk * d];
        float[] dv = new float[bh * tk * d];
        java.util.Arrays.fill(dk, Float.NaN);     // overwritten, not accumulated
        CPU.attentionBackward(seg(q), seg(k), seg(v), seg(out), seg(lse), seg(dout), seg(dq), seg(dk), seg(dv),
                bh, tq, tk, d, scale, causal);
        Ref ref = Ref.of(q, k, v, dout, bh, tq, tk, d, scale, causal);
        assertClose("out", ref.out(), out, 2e-5);
        assertClose("lse", ref.lse(), lse, 2e-5);
        assertClose("dq", ref.dq(), dq, 5e-5);
        assertClose("dk", ref.dk(), dk, 5e-5);
        assertClose("dv", ref.dv(), dv, 5e-5);
    }

    @Test
    void attentionIsBitIdenticalRunToRun() {
        int bh = 4;
        int t = 200;
        int d = 32;
        SplittableRandom rnd = new SplittableRandom(4);
        float[] q = CpuTestSupport.random(rnd, bh * t * d, -1, 1);
        float[] k = CpuTestSupport.random(rnd, bh * t * d, -1, 1);
        float[] v = CpuTestSupport.random(rnd, bh * t * d, -1, 1);
        float[][] dks = new float[2][];
        for (int run = 0; run < 2; run++) {
            float[] out = new float[bh * t * d];
            float[] lse = new float[bh * t];
            CPU.attention(seg(q), seg(k), seg(v), seg(out), seg(lse), bh, t, t, d, 0.2f, true);
            float[] dq = new float[bh * t * d];
            dks[run] = new float[bh * t * d];
            float[] dv = new float[bh * t * d];
            CPU.attentionBackward(seg(q), seg(k), seg(v), seg(out), seg(lse), seg(v), seg(dq), seg(dks[run]),
                    seg(dv), bh, t, t, d, 0.2f, true);
        }
        assertArrayEquals(dks[0], dks[1]);
    }

    static Stream<Arguments> ropeCases() {
        return Stream.of(Arguments.of(2, 3, 2), Arguments.of(1, 5, 6), Arguments.of(3, 4, 66),
                Arguments.of(2, 7, 128), Arguments.of(1, 2, 514));
    }

    @ParameterizedTest(name = "n={0} t={1} d={2}")
    @MethodSource("ropeCases")
    void ropeRotatesHalvesAndInverseUndoesIt(int n, int t, int d) {
        int h = d / 2;
        SplittableRandom rnd = new SplittableRandom(n * 100L + t + d);
        float[] x = CpuTestSupport.random(rnd, n * t * d, -2, 2);
        float[] cos = new float[t * h];
        float[] sin = new float[t * h];
        for (int p = 0; p < t; p++) {
            for (int j = 0; j < h; j++) {
                double angle = p / Math.pow(10000, 2.0 * j / d);
                cos[p * h + j] = (float) Math.cos(angle);
                sin[p * h + j] = (float) Math.sin(angle);
            }
        }
        float[] y = new float[n * t * d];
        CPU.rope(seg(x), seg(y), seg(cos), seg(sin), n, t, d, false);
        double[] want = new double[n * t * d];
        for (int r = 0; r < n * t; r++) {
            int p = r % t;
            for (int j = 0; j < h; j++) {
                double x1 = x[r * d + j];
                double x2 = x[r * d + h + j];
                want[r * d + j] = x1 * cos[p * h + j] - x2 * sin[p * h + j];
                want[r * d + h + j] = x2 * cos[p * h + j] + x1 * sin[p * h + j];
            }
        }
        assertClose("rope", want, y, 1e-6);
        CPU.rope(seg(y), seg(y), seg(cos), seg(sin), n, t, d, true);   // in place inverse
        double[] back = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            back[i] = x[i];
        }
        assertClose("inverse rope", back, y, 2e-6);
    }
}
