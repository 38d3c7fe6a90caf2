package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.wegeft.kernels.cpu.CpuTestSupport.CPU;
import static org.wegeft.kernels.cpu.CpuTestSupport.assertClose;
import static org.wegeft.kernels.cpu.CpuTestSupport.seg;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CpuNormsTest {
    private static final float EPS = 1e-5f;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (int cols : CpuTestSupport.ODD_SIZES) {
            list.add(Arguments.of(3, cols, true));
            list.add(Arguments.of(2, cols, false));
        }
        list.add(Arguments.of(300, 600, true));   // several column chunks and row tasks
        return list.stream();
    }

    @ParameterizedTest(name = "rows={0} cols={1} affine={2}")
    @MethodSource("cases")
    void layerNormForwardAndBackwardMatchDoubleReference(int rows, int cols, boolean affine) {
        SplittableRandom rnd = new SplittableRandom(rows * 7L + cols);
        float[] x = CpuTestSupport.random(rnd, rows * cols, -2, 3);
        float[] gamma = CpuTestSupport.random(rnd, cols, 0.5, 1.5);
        float[] beta = CpuTestSupport.random(rnd, cols, -1, 1);
        float[] dy = CpuTestSupport.random(rnd, rows * cols, -1, 1);
        float[] y = new float[rows * cols];
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        MemorySegment g = affine ? seg(gamma) : MemorySegment.NULL;
        CPU.layerNorm(seg(x), g, affine ? seg(beta) : MemorySegment.NULL, seg(y), seg(mean), seg(rstd), rows, cols,
                EPS);
        float[] dx = new float[rows * cols];
        float[] dgamma = new float[cols];
        float[] dbeta = new float[cols];
        java.util.Arrays.fill(dgamma, 0.5f);   // accumulated into
        CPU.layerNormBackward(seg(x), g, seg(mean), seg(rstd), seg(dy), seg(dx),
                affine ? seg(dgamma) : MemorySegment.NULL, affine ? seg(dbeta) : MemorySegment.NULL, rows, cols);

        double[] wy = new double[rows * cols];
        double[] wm = new double[rows];
        double[] wr = new double[rows];
        double[] wdx = new double[rows * cols];
        double[] wdg = new double[cols];
        double[] wdb = new double[cols];
        java.util.Arrays.fill(wdg, 0.5);
        for (int r = 0; r < rows; r++) {
            double mu = 0;
            for (int j = 0; j < cols; j++) {
                mu += x[r * cols + j];
            }
            mu /= cols;
            double var = 0;
            for (int j = 0; j < cols; j++) {
                var += (x[r * cols + j] - mu) * (x[r * cols + j] - mu);
            }
            double rs = 1 / Math.sqrt(var / cols + EPS);
            wm[r] = mu;
            wr[r] = rs;
            double a = 0;
            double b = 0;
            for (int j = 0; j < cols; j++) {
                double xh = (x[r * cols + j] - mu) * rs;
                double gj = affine ? gamma[j] : 1;
                wy[r * cols + j] = xh * gj + (affine ? beta[j] : 0);
                double dxh = dy[r * cols + j] * gj;
                a += dxh;
                b += dxh * xh;
                wdg[j] += dy[r * cols + j] * xh;
                wdb[j] += dy[r * cols + j];
            }
            for (int j = 0; j < cols; j++) {
                double xh = (x[r * cols + j] - mu) * rs;
                double dxh = dy[r * cols + j] * (affine ? gamma[j] : 1);
                wdx[r * cols + j] = rs * (dxh - a / cols - xh * b / cols);
            }
        }
        assertClose("y", wy, y, 2e-5);
        assertClose("mean", wm, mean, 1e-6);
        assertClose("rstd", wr, rstd, 1e-5);
        assertClose("dx", wdx, dx, 5e-5);
        if (affine) {
            assertClose("dgamma", wdg, dgamma, 1e-4 * Math.sqrt(rows));
            assertClose("dbeta", wdb, dbeta, 1e-4 * Math.sqrt(rows));
        }
    }

    @ParameterizedTest(name = "rows={0} cols={1} weight={2}")
    @MethodSource("cases")
    void rmsNormForwardAndBackwardMatchDoubleReference(int rows, int cols, boolean weighted) {
        SplittableRandom rnd = new SplittableRandom(rows * 11L + cols);
        float[] x = CpuTestSupport.random(rnd, rows * cols, -2, 2);
        float[] w = CpuTestSupport.random(rnd, cols, 0.5, 1.5);
        float[] dy = CpuTestSupport.random(rnd, rows * cols, -1, 1);
        float[] y = new float[rows * cols];
        float[] rstd = new float[rows];
        MemorySegment ws = weighted ? seg(w) : MemorySegment.NULL;
        CPU.rmsNorm(seg(x), ws, seg(y), seg(rstd), rows, cols, EPS);
        float[] dx = new float[rows * cols];
        float[] dw = new float[cols];
        CPU.rmsNormBackward(seg(x), ws, seg(rstd), seg(dy), seg(dx), weighted ? seg(dw) : MemorySegment.NULL,
                rows, cols);
        double[] wy = new double[rows * cols];
        double[] wdx = new double[rows * cols];
        double[] wdw = new double[cols];
        for (int r = 0; r < rows; r++) {
            double ms = 0;
            for (int j = 0; j < cols; j++) {
                ms += (double) x[r * cols + j] * x[r * cols + j];
            }
            double rs = 1 / Math.sqrt(ms / cols + EPS);
            double b = 0;
            for (int j = 0; j < cols; j++) {
                double wj = weighted ? w[j] : 1;
                wy[r * cols + j] = x[r * cols + j] * rs * wj;
                b += dy[r * cols + j] * wj * x[r * cols + j] * rs;
                wdw[j] += dy[r * cols + j] * x[r * cols + j] * rs;
            }
            for (int j = 0; j < cols; j++) {
                double wj = weighted ? w[j] : 1;
                wdx[r * cols + j] = rs * (dy[r * cols + j] * wj - x[r * cols + j] * rs * b / cols);
            }
        }
        assertClose("y", wy, y, 2e-5);
        assertClose("dx", wdx, dx, 5e-5);
        if (weighted) {
            assertClose("dweight", wdw, dw, 1e-4 * Math.sqrt(rows));
        }
    }

    @Test
    void normGradientsAreBitIdenticalRunToRun() {
        int rows = 512;
        int cols = 640;
        SplittableRandom rnd = new SplittableRandom(1);
        float[] x = CpuTestSupport.random(rnd, rows * cols, -2, 2);
        float[] dy = CpuTestSupport.random(rnd, rows * cols, -1, 1);
        float[] gamma = CpuTestSupport.random(rnd, cols, 0.5, 1.5);
        float[] y = new float[rows * cols];
        float[] mean = new float[rows];
        float[] rstd = new float[rows];
        CPU.layerNorm(seg(x), seg(gamma), MemorySegment.NULL, seg(y), seg(mean), seg(rstd), rows, cols, EPS);
        float[][] runs = new float[2][];
        for (int run = 0; run < 2; run++) {
            float[] dx = new float[rows * cols];
            float[] dg = new float[cols];
            float[] db = new float[cols];
            CPU.layerNormBackward(seg(x), seg(gamma), seg(mean), seg(rstd), seg(dy), seg(dx), seg(dg), seg(db),
                    rows, cols);
            float[] all = new float[dx.length + 2 * cols];
            System.arraycopy(dx, 0, all, 0, dx.length);
            System.arraycopy(dg, 0, all, dx.length, cols);
            System.arraycopy(db, 0, all, dx.length + cols, cols);
            runs[run] = all;
        }
        assertArrayEquals(runs[0], runs[1]);
    }
}
