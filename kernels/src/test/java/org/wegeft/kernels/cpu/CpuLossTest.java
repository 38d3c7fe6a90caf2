package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

class CpuLossTest {

    static int[] sizes() {
        return new int[] {1, 3, 7, 33, 257, 600};
    }

    @ParameterizedTest(name = "dim={0}")
    @MethodSource("sizes")
    void embeddingGathersRowsAndBackwardScatterAddsRepeatedIds(int dim) {
        int vocab = 11;
        int n = 40;
        SplittableRandom rnd = new SplittableRandom(dim);
        float[] table = CpuTestSupport.random(rnd, vocab * dim, -1, 1);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(vocab);
        }
        float[] out = new float[n * dim];
        CPU.embedding(seg(ids), seg(table), seg(out), n, vocab, dim);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                assertEquals(table[ids[i] * dim + j], out[i * dim + j], "row " + i + " col " + j);
            }
        }
        float[] dout = CpuTestSupport.random(rnd, n * dim, -1, 1);
        float[] dtable = CpuTestSupport.random(rnd, vocab * dim, -1, 1);
        double[] want = new double[vocab * dim];
        for (int i = 0; i < want.length; i++) {
            want[i] = dtable[i];
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                want[ids[i] * dim + j] += dout[i * dim + j];
            }
        }
        CPU.embeddingBackward(seg(ids), seg(dout), seg(dtable), n, vocab, dim);
        assertClose("dtable", want, dtable, 1e-5);
    }

    @Test
    void embeddingRejectsOutOfRangeIdNamingThePosition() {
        int[] ids = {0, 5, 3};
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> CPU.embedding(seg(ids), seg(new float[8]), seg(new float[6]), 3, 4, 2));
        assertTrue(e.getMessage().contains("position 1") && e.getMessage().contains("5"), e.getMessage());
    }

    static Stream<Arguments> ceCases() {
        List<Arguments> list = new ArrayList<>();
        for (int classes : CpuTestSupport.ODD_SIZES) {
            list.add(Arguments.of(6, classes, 0f));
            list.add(Arguments.of(6, classes, 0.1f));
        }
        list.add(Arguments.of(64, 1000, 0.05f));
        return list.stream();
    }

    @ParameterizedTest(name = "rows={0} classes={1} smoothing={2}")
    @MethodSource("ceCases")
    void crossEntropyMatchesReferenceAndSkipsIgnoredRows(int rows, int classes, float eps) {
        SplittableRandom rnd = new SplittableRandom(rows * 13L + classes);
        float[] logits = CpuTestSupport.random(rnd, rows * classes, -5, 5);
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) {
            targets[r] = r % 4 == 1 ? -100 : rnd.nextInt(classes);
        }
        float[] losses = new float[rows];
        float[] dlogits = new float[rows * classes];
        java.util.Arrays.fill(dlogits, Float.NaN);
        int counted = CPU.crossEntropy(seg(logits), seg(targets), seg(losses), seg(dlogits), rows, classes, -100,
                eps);
        float[] lossesNoGrad = new float[rows];
        CPU.crossEntropy(seg(logits), seg(targets), seg(lossesNoGrad), MemorySegment.NULL, rows, classes, -100, eps);
        double[] wl = new double[rows];
        double[] wd = new double[rows * classes];
        int wantCount = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] == -100) {
                continue;
            }
            wantCount++;
            double lse = CpuTestSupport.logSumExp(logits, r * classes, classes);
            double loss = 0;
            for (int j = 0; j < classes; j++) {
                double target = (j == targets[r] ? 1 - eps : 0) + eps / classes;
                loss -= target * (logits[r * classes + j] - lse);
                wd[r * classes + j] = Math.exp(logits[r * classes + j] - lse) - target;
            }
            wl[r] = loss;
        }
        assertEquals(wantCount, counted);
        assertClose("losses", wl, losses, 2e-5);
        assertClose("losses without grad", wl, lossesNoGrad, 2e-5);
        assertClose("dlogits", wd, dlogits, 1e-6, 1e-5);
    }

    @Test
    void crossEntropyRejectsOutOfRangeTargetNamingTheRow() {
        int[] targets = {1, 9};
        var e = assertThrows(IndexOutOfBoundsException.class, () -> CPU.crossEntropy(seg(new float[6]),
                seg(targets), seg(new float[2]), MemorySegment.NULL, 2, 3, -100, 0f));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
    }

    @Test
    void embeddingBackwardIsBitIdenticalRunToRun() {
        int n = 2000;
        int dim = 768;
        int vocab = 50;
        SplittableRandom rnd = new SplittableRandom(2);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rnd.nextInt(vocab);
        }
        float[] dout = CpuTestSupport.random(rnd, n * dim, -1, 1);
        float[] a = new float[vocab * dim];
        float[] b = new float[vocab * dim];
        CPU.embeddingBackward(seg(ids), seg(dout), seg(a), n, vocab, dim);
        CPU.embeddingBackward(seg(ids), seg(dout), seg(b), n, vocab, dim);
        assertArrayEquals(a, b);
    }
}
