package org.wegeft.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantFormat;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.Quantizers;

/** Quantizing a plain 2-D weight tensor ({@link Tensor#quantize}). */
final class QuantizedTensors {
    private QuantizedTensors() {
    }

    /**
     * w quantized as format, read in its stored dtype where it lies (host memory, a mapping included, whose pages
     * are then given back; a device tensor is copied to the host first). A BF16 or F16 weight's NF4 values are
     * dequantized rounded to its dtype, as bitsandbytes dequantizes to the dtype the weight had.
     */
    static QuantizedWeight quantize(Tensor w, QuantFormat format, boolean doubleQuant) {
        if (w.quantizedWeight() != null) {
            throw new IllegalArgumentException("quantize: " + w + " is already quantized");
        }
        if (w.dim() != 2 || !w.isContiguous() || w.dtype() == DType.I32) {
            throw new IllegalArgumentException("quantize: needs a contiguous 2-D F32, BF16 or F16 weight, got " + w);
        }
        if (doubleQuant && format != QuantFormat.NF4) {
            throw new IllegalArgumentException("quantize: double quantization applies to NF4, not " + format);
        }
        int rows = Shapes.checkedInt(w.size(0), "quantize rows");
        int cols = Shapes.checkedInt(w.size(1), "quantize cols");
        if (Backends.current().hostAccessible()) {
            QuantizedWeight q = quantize(w.dtype(), w.seg(), rows, cols, format, doubleQuant);
            w.storage().releaseMappedPages();   // a checkpoint's pages are not needed again
            return q;
        }
        try (Arena arena = Arena.ofShared()) {   // read by the quantizer's threads
            MemorySegment host = arena.allocate(w.numel() * w.dtype().byteSize(), Float.BYTES);
            w.readInto(host);
            return quantize(w.dtype(), host, rows, cols, format, doubleQuant);
        }
    }

    /**
     * A new plain (rows, cols) tensor of {@code target} holding the quantized weight's values (dequantized in
     * float32, then converted): for the few uses that need W itself, such as DoRA's row norms or a merge.
     */
    static Tensor dequantize(Tensor w, QuantizedWeight q, DType target) {
        if (w.storageOffset() != 0 || w.dim() != 2 || w.size(0) != q.rows() || !w.isContiguous()) {
            throw new IllegalArgumentException("dequantize: " + w + " is not the whole quantized weight");
        }
        float[] values = new float[Shapes.checkedInt(q.size(), "dequantize")];
        q.dequantize(0, values.length, values, 0);
        Tensor f = Tensor.of(values, q.rows(), q.cols());
        if (target == DType.F32) {
            return f;
        }
        try (f) {
            return f.to(target);
        }
    }

    private static QuantizedWeight quantize(DType dtype, MemorySegment src, int rows, int cols, QuantFormat format,
                                            boolean doubleQuant) {
        return switch (format) {
            case NF4 -> {
                QuantizedWeight q = Quantizers.nf4(dtype, src, rows, cols, dtype);
                yield doubleQuant ? Quantizers.withNestedAbsmax(q) : q;
            }
            case INT8 -> Quantizers.int8(dtype, src, rows, cols);
        };
    }
}
