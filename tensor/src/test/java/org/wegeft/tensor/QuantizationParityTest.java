package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.NestedAbsmax;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.Quantizers;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * NF4 and int8 quantization and dequantization equal, bit for bit, the PyTorch re-implementation of bitsandbytes'
 * CPU ops in tools/fixtures/make_quant_fixtures.py: planted midpoints (the lower code wins), a whole-zero block, a
 * negative absmax, odd sizes with partial last blocks, a zero-only tail, int8 halves (to even), a zero row, and bf16
 * values whose int8 ties turn on how torch rounds 127 / absmax.
 */
class QuantizationParityTest {
    private static final String SCRIPT = "tools/fixtures/make_quant_fixtures.py";
    private static final Map<String, Tensor> FX = TensorFixtures.tensors(
            TensorFixtures.path(QuantizationParityTest.class, "quant.safetensors", SCRIPT));

    static Stream<String> weights() {
        return Stream.of("ties", "odd", "tail_zero", "big", "wide", "rows", "bf16_rows");
    }

    private static float[] floats(String key) {
        return FX.get(key).toFloatArray();
    }

    private static int[] ints(String key) {
        return FX.get(key).toIntArray();
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    private static float[] dequantized(QuantizedWeight q) {
        float[] out = new float[(int) q.size()];
        q.dequantize(0, out.length, out, 0);
        return out;
    }

    private static QuantizedWeight quantizeNf4(String name, boolean bf16) {
        Tensor w = FX.get(name + ".weight");
        float[] src = w.toFloatArray();
        return Quantizers.nf4(DType.F32, MemorySegment.ofArray(src), (int) w.shape()[0], (int) w.shape()[1],
                bf16 ? DType.BF16 : DType.F32);
    }

    @ParameterizedTest
    @MethodSource("weights")
    void nf4CodesAndAbsmaxEqualReference(String name) {
        QuantizedWeight q = quantizeNf4(name, false);
        int[] packed = new int[(int) q.codes().byteSize()];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = q.codes().get(ValueLayout.JAVA_BYTE, i) & 0xFF;
        }
        assertArrayEquals(ints(name + ".nf4.packed"), packed, name + " packed codes");
        assertArrayEquals(bits(floats(name + ".nf4.absmax")),
                bits(q.scales().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED)), name + " absmax");
    }

    @ParameterizedTest
    @MethodSource("weights")
    void nf4DequantizationEqualsReference(String name) {
        assertArrayEquals(bits(floats(name + ".nf4.dequant")), bits(dequantized(quantizeNf4(name, false))), name);
        assertArrayEquals(bits(floats(name + ".nf4.dequant_bf16")), bits(dequantized(quantizeNf4(name, true))),
                name + " rounded to bf16");
    }

    @ParameterizedTest
    @MethodSource("weights")
    void nestedAbsmaxEqualsReference(String name) {
        float[] absmax = floats(name + ".nf4.absmax");
        float torchOffset = floats(name + ".nf4dq.offset")[0];
        NestedAbsmax own = Quantizers.nestAbsmax(absmax);
        assertTrue(Math.abs(own.offset() - torchOffset) <= Math.ulp(torchOffset),
                name + " offset " + own.offset() + " vs torch's " + torchOffset);
        NestedAbsmax nested = Quantizers.nestAbsmax(absmax, torchOffset);
        int[] codes = new int[nested.codes().length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = nested.codes()[i] & 0xFF;
        }
        assertArrayEquals(ints(name + ".nf4dq.codes"), codes, name + " nested codes");
        assertArrayEquals(bits(floats(name + ".nf4dq.absmax2")), bits(nested.absmax2()), name + " nested absmax");
        assertArrayEquals(bits(floats(name + ".nf4dq.absmax")), bits(nested.restored()), name + " restored absmax");
        // as a reader restores a checkpoint's nested absmax from its stored parts
        byte[] stored = new byte[codes.length];
        for (int i = 0; i < codes.length; i++) {
            stored[i] = (byte) ints(name + ".nf4dq.codes")[i];
        }
        assertArrayEquals(bits(floats(name + ".nf4dq.absmax")), bits(Quantizers.restoreAbsmax(stored,
                floats(name + ".nf4dq.absmax2"), floats("dynamic_map"), Quantizers.NESTED_BLOCK, torchOffset)),
                name + " restored from the stored parts");
        QuantizedWeight q = quantizeNf4(name, false);
        QuantizedWeight dq = QuantizedWeight.nf4(q.rows(), q.cols(),
                q.codes().toArray(ValueLayout.JAVA_BYTE), nested.restored(), q.table(), q.blockSize(), DType.F32);
        assertArrayEquals(bits(floats(name + ".nf4dq.dequant")), bits(dequantized(dq)), name + " dequantized");
    }

    @ParameterizedTest
    @MethodSource("weights")
    void int8EqualsReference(String name) {
        Tensor w = FX.get(name + ".weight");
        QuantizedWeight q = Quantizers.int8(DType.F32, MemorySegment.ofArray(w.toFloatArray()),
                (int) w.shape()[0], (int) w.shape()[1]);
        int[] codes = new int[(int) q.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = q.codes().get(ValueLayout.JAVA_BYTE, i);
        }
        assertArrayEquals(ints(name + ".int8.codes"), codes, name + " codes");
        assertArrayEquals(bits(floats(name + ".int8.stats")),
                bits(q.scales().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED)), name + " row absmax");
        assertArrayEquals(bits(floats(name + ".int8.dequant")), bits(dequantized(q)), name + " dequantized");
    }

    @Test
    void tablesEqualBitsandbytes() {
        assertArrayEquals(bits(floats("nf4_code")), bits(Quantizers.nf4Table()));
        assertArrayEquals(bits(floats("dynamic_map")), bits(Quantizers.dynamicMap8()));
    }

    @Test
    void aLargeWeightQuantizedOnSeveralThreadsEqualsItsBlocksQuantizedAlone() {
        java.util.Random rng = new java.util.Random(11);
        int rows = 600;
        int cols = 704;   // 6,600 blocks of 64, several tasks
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        QuantizedWeight all = Quantizers.nf4(DType.F32, MemorySegment.ofArray(w), rows, cols, DType.F32);
        QuantizedWeight rowsInt8 = Quantizers.int8(DType.F32, MemorySegment.ofArray(w), rows, cols);
        for (int blk = 0; blk < rows * cols / 64; blk += 97) {
            float[] part = java.util.Arrays.copyOfRange(w, blk * 64, blk * 64 + 64);
            QuantizedWeight one = Quantizers.nf4(DType.F32, MemorySegment.ofArray(part), 1, 64, DType.F32);
            assertArrayEquals(one.codes().toArray(ValueLayout.JAVA_BYTE),
                    all.codes().asSlice(blk * 32L, 32).toArray(ValueLayout.JAVA_BYTE), "block " + blk);
            assertEquals(one.scales().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 0),
                    all.scales().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, blk), "absmax " + blk);
        }
        for (int r = 0; r < rows; r += 53) {
            float[] row = java.util.Arrays.copyOfRange(w, r * cols, (r + 1) * cols);
            QuantizedWeight one = Quantizers.int8(DType.F32, MemorySegment.ofArray(row), 1, cols);
            assertArrayEquals(one.codes().toArray(ValueLayout.JAVA_BYTE),
                    rowsInt8.codes().asSlice((long) r * cols, cols).toArray(ValueLayout.JAVA_BYTE), "row " + r);
        }
    }

    @Test
    void plantedMidpointsTakeTheLowerCode() {
        // element 0 is 1.0 (code 15), elements 1..15 the midpoints between codes i-1 and i: code i-1
        QuantizedWeight q = quantizeNf4("ties", false);
        for (int e = 1; e < 16; e++) {
            int b = q.codes().get(ValueLayout.JAVA_BYTE, e >> 1);
            int code = (e & 1) == 0 ? (b >> 4) & 15 : b & 15;
            assertEquals(e - 1, code, "midpoint " + e);
        }
    }
}
