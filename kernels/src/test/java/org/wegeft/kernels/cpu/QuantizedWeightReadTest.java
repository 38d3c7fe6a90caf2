package org.wegeft.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.Quantizers;
import org.wegeft.kernels.WeightDropout;

/**
 * The packing's run decoder ({@link WeightRead#decode}) gives, bit for bit, {@link QuantizedWeight#get} of every
 * element (dropped when asked), for runs that start at odd elements, cross blocks and rows, with a stride.
 */
class QuantizedWeightReadTest {

    @ParameterizedTest
    @CsvSource({"nf4, F32, false", "nf4, BF16, true", "nf4, F16, false", "nf4, F32, true", "int8, F32, false",
                "int8, F32, true"})
    void runsDecodeLikeTheElementFormula(String format, DType roundTo, boolean dropped) {
        Random rng = new Random(7);
        int rows = 13;
        int cols = 77;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        MemorySegment src = MemorySegment.ofArray(w);
        QuantizedWeight q = format.equals("nf4") ? Quantizers.nf4(DType.F32, src, rows, cols, roundTo)
                : Quantizers.int8(DType.F32, src, rows, cols);
        WeightDropout d = dropped ? new WeightDropout(0x1234L, 0.3f) : null;
        WeightRead read = WeightRead.of(q, d);
        float[] lut = new float[16];
        for (int trial = 0; trial < 200; trial++) {
            int e = rng.nextInt(w.length);
            int len = 1 + rng.nextInt(w.length - e);
            int stride = 1 + rng.nextInt(3);
            float[] out = new float[5 + len * stride];
            read.decode(e, len, out, 5, stride, lut);
            for (int i = 0; i < len; i++) {
                float want = d == null ? q.get(e + i) : d.apply(e + i, q.get(e + i));
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[5 + i * stride]),
                        "element " + (e + i) + " of a run from " + e);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(read.get(MemorySegment.NULL,
                        e + i)), "get " + (e + i));
            }
        }
    }
}
