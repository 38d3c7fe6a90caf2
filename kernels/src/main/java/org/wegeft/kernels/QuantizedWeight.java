package org.wegeft.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A frozen (rows, cols) weight stored quantized, read by {@link KernelBackend#gemmQuantized} and dequantized there
 * panel by panel, never as a whole. Element e (row-major, e = row·cols + col) is, in float32:
 * <ul>
 *   <li>NF4: {@code table[nibble(e)] · scales[e / blockSize]}, the nibble of byte e/2 being its high four bits for an
 *       even e; the product is then rounded to {@code roundTo} (BF16 or F16, nearest, ties to even; F32 for none),
 *       as bitsandbytes dequantizes to a checkpoint's compute dtype;</li>
 *   <li>INT8: {@code (codes[e] · scales[e / cols]) · (float) 7.874015718698502e-3}, two float32 roundings, as
 *       bitsandbytes' {@code int8_vectorwise_dequant} (scales are the row absmax values).</li>
 * </ul>
 * {@code codes} and {@code scales} are host segments (native order); the table is copied.
 *
 * @param format how elements are stored
 * @param rows the weight's first dimension (a linear layer's d_out)
 * @param cols its second dimension (d_in)
 * @param codes NF4: ceil(rows·cols / 2) packed bytes; INT8: rows·cols signed bytes
 * @param scales NF4: ceil(rows·cols / blockSize) float32 absmax values; INT8: rows float32 row absmax values
 * @param table NF4: the 16 code values; INT8: empty
 * @param blockSize NF4: elements per absmax block; INT8: cols
 * @param roundTo NF4: the dtype each dequantized value is rounded to (BF16, F16, or F32 for none); INT8: F32
 */
public record QuantizedWeight(QuantFormat format, int rows, int cols, MemorySegment codes, MemorySegment scales,
                              float[] table, int blockSize, DType roundTo) {
    /** bitsandbytes' int8 dequantization factor, 1/127 as the float32 it multiplies by. */
    public static final float INT8_STEP = (float) 7.874015718698502e-3;

    public QuantizedWeight {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("quantized weight: negative shape (" + rows + ", " + cols + ")");
        }
        long n = (long) rows * cols;
        table = table.clone();
        switch (format) {
            case NF4 -> {
                if (table.length != 16) {
                    throw new IllegalArgumentException("NF4 weight: the code table needs 16 values, got "
                            + table.length);
                }
                if (roundTo == DType.I32) {
                    throw new IllegalArgumentException("NF4 weight: values round to F32, BF16 or F16, not I32");
                }
                if (blockSize <= 0) {
                    throw new IllegalArgumentException("NF4 weight: block size must be positive, got " + blockSize);
                }
                require("packed codes", codes.byteSize(), (n + 1) / 2);
                require("absmax", scales.byteSize(), Math.ceilDiv(n, blockSize) * Float.BYTES);
            }
            case INT8 -> {
                if (table.length != 0 || blockSize != cols || roundTo != DType.F32) {
                    throw new IllegalArgumentException("INT8 weight: no code table, block size = cols ("
                            + cols + "), no rounding (F32)");
                }
                require("codes", codes.byteSize(), n);
                require("row scales", scales.byteSize(), (long) rows * Float.BYTES);
            }
        }
    }

    /**
     * An NF4 weight from its arrays as bitsandbytes holds them: packed codes (first element in the high nibble),
     * float32 absmax per block, the 16 code values and the block size.
     */
    public static QuantizedWeight nf4(int rows, int cols, byte[] packed, float[] absmax, float[] table, int blockSize,
                                      DType roundTo) {
        return new QuantizedWeight(QuantFormat.NF4, rows, cols, MemorySegment.ofArray(packed.clone()),
                MemorySegment.ofArray(absmax.clone()), table, blockSize, roundTo);
    }

    /**
     * Checks that spec reads this weight as its B ({@link KernelBackend#gemmQuantized}): op(B)'s shape matching,
     * ldb = cols, one weight for the whole batch, and beta 0 with a bias.
     */
    public void checkOperand(GemmSpec spec, boolean hasBias) {
        int bRows = spec.transB() ? spec.n() : spec.k();
        int bCols = spec.transB() ? spec.k() : spec.n();
        if (bRows != rows || bCols != cols || spec.ldb() != cols
                || (spec.batch() > 1 && spec.strideB() != 0)) {
            throw new IllegalArgumentException("gemmQuantized: B must be the whole (" + rows + ", " + cols
                    + ") weight, shared by the batch, got " + spec);
        }
        if (hasBias && spec.beta() != 0f) {
            throw new IllegalArgumentException("gemmQuantized: a bias needs beta 0, got " + spec);
        }
    }

    private static void require(String what, long bytes, long expected) {
        if (bytes != expected) {
            throw new IllegalArgumentException("quantized weight: " + what + " hold " + bytes + " bytes, expected "
                    + expected);
        }
    }

    /** rows·cols. */
    public long size() {
        return (long) rows * cols;
    }

    /** The table as a fresh copy. */
    @Override
    public float[] table() {
        return table.clone();
    }

    /** Bytes this weight holds (codes and scales). */
    public long byteSize() {
        return codes.byteSize() + scales.byteSize();
    }

    /** Element e dequantized to float32 (the formula of the class comment). */
    public float get(long e) {
        return switch (format) {
            case NF4 -> {
                int b = codes.get(ValueLayout.JAVA_BYTE, e >>> 1);
                int q = (e & 1) == 0 ? (b >> 4) & 15 : b & 15;
                float v = table[q] * scales.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e / blockSize);
                yield round(v, roundTo);
            }
            case INT8 -> codes.get(ValueLayout.JAVA_BYTE, e)
                    * scales.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e / cols) * INT8_STEP;
        };
    }

    /** Elements [from, from + count) dequantized into out[at …]. */
    public void dequantize(long from, int count, float[] out, int at) {
        for (int i = 0; i < count; i++) {
            out[at + i] = get(from + i);
        }
    }

    /** v rounded to the nearest value of {@code dtype} (BF16 or F16, ties to even, as torch's {@code .to}), as float32. */
    public static float round(float v, DType dtype) {
        return switch (dtype) {
            case BF16 -> {
                if (Float.isNaN(v)) {
                    yield v;
                }
                int bits = Float.floatToRawIntBits(v);
                yield Float.intBitsToFloat((bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000);
            }
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            default -> v;
        };
    }
}
