package org.wegeft.tensor.bnb;

import java.util.Arrays;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantizedWeight;

/**
 * One 4-bit block-quantized weight, in bitsandbytes' layout: element {@code i} of the row-major weight is
 * {@code round(codeTable[code(i)] * absmax[i / blockSize])}, the product in float32 and then rounded to
 * {@code roundTo}. Codes are packed two a byte, element {@code 2j} in the high nibble of {@code packed[j]}, element
 * {@code 2j + 1} in the low one (an odd count leaves the last low nibble as padding). The code table is NF4's or FP4's
 * (bit-pattern order); double quantization is already undone in {@code absmax}.
 *
 * @param name      the checkpoint key of the weight ({@code ….weight})
 * @param shape     the logical shape, e.g. (d_out, d_in)
 * @param packed    (elements + 1) / 2 bytes of codes
 * @param absmax    one float32 scale per block of {@code blockSize} elements (the last block may be partial)
 * @param codeTable the 16 values a code stands for
 * @param blockSize elements per absmax block
 * @param roundTo   the dtype dequantized values are rounded to (BF16, F16, or F32 for none)
 */
public record Nf4Blocks(String name, long[] shape, byte[] packed, float[] absmax, float[] codeTable, int blockSize,
                        DType roundTo) {

    public Nf4Blocks {
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (codeTable.length != 16 || blockSize <= 0 || packed.length != (n + 1) / 2
                || absmax.length != (n + blockSize - 1) / blockSize
                || (roundTo != DType.BF16 && roundTo != DType.F16 && roundTo != DType.F32)) {
            throw new IllegalArgumentException(name + ": inconsistent 4-bit blocks: shape " + Arrays.toString(shape)
                    + ", " + packed.length + " bytes, " + absmax.length + " absmax, " + codeTable.length + " codes, block "
                    + blockSize + ", " + roundTo);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of weight elements (product of the shape). */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The 4-bit code of element {@code i}: the high nibble for even {@code i}, the low one for odd. */
    public int code(long i) {
        int b = packed[(int) (i >>> 1)] & 0xFF;
        return (i & 1) == 0 ? b >>> 4 : b & 0xF;
    }

    /** The reference dequantization: every element as bitsandbytes computes it, rounded to {@link #roundTo}. */
    public float[] dequantize() {
        int n = Math.toIntExact(elements());
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = QuantizedWeight.round(codeTable[code(i)] * absmax[i / blockSize], roundTo);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nf4Blocks b && name.equals(b.name) && Arrays.equals(shape, b.shape)
                && Arrays.equals(packed, b.packed) && Arrays.equals(absmax, b.absmax)
                && Arrays.equals(codeTable, b.codeTable) && blockSize == b.blockSize && roundTo == b.roundTo;
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Arrays.hashCode(absmax);
    }

    @Override
    public String toString() {
        return "Nf4Blocks[" + name + " " + Arrays.toString(shape) + ", block " + blockSize + ", round to " + roundTo
                + "]";
    }
}
