package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.GemmKernels.L;
import static org.wegeft.kernels.cpu.GemmKernels.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import org.jspecify.annotations.Nullable;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantFormat;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.WeightDropout;

/**
 * How a GEMM reads its weight operand B: stored as F32, BF16 or F16 and widened to float32 in registers, then, with a
 * {@link WeightDropout}, dropped or scaled lane by lane from the counter-based hash of each element's index. The
 * vector loads ({@link #plain}, {@link #dropped}) and their scalar twin ({@link #get}) give the same bits as
 * converting the whole weight and applying the dropout element by element (the SPI's reference). A loop meets one
 * dtype in practice (a model's weights share one); loops that meet several in one run (decoding reads bf16 weights
 * and the float32 KV cache) call {@link #bf16} and {@link #f16} directly, so each stays compiled for one. A
 * {@link QuantizedWeight} is read through {@link #decode}, a run of elements at a time (one block scale per run).
 */
final class WeightRead {
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class,
            VectorShape.forBitSize(S.vectorBitSize() / 2));
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int[] IOTA = new int[L];

    static {
        for (int i = 0; i < L; i++) {
            IOTA[i] = i;
        }
    }

    private final DType dtype;
    /** The quantized weight read in place of a segment, or null. */
    private final @Nullable QuantizedWeight quant;
    /** The NF4 code table of {@link #quant} (the record hands out copies), or null. */
    private final float @Nullable [] nf4Table;
    private final boolean drops;
    private final int key32;
    /** {@link WeightDropout#threshold()}. */
    private final int threshold;
    private final float scale;
    /** {@link WeightDropout#firstRow()}: rows of the product above it read B as it is. */
    private final int firstRow;

    private WeightRead(DType dtype, @Nullable QuantizedWeight quant, @Nullable WeightDropout dropout) {
        this.dtype = dtype;
        this.quant = quant;
        this.nf4Table = quant != null && quant.format() == QuantFormat.NF4 ? quant.table() : null;
        this.drops = dropout != null;
        this.firstRow = dropout == null ? 0 : dropout.firstRow();
        this.key32 = dropout == null ? 0 : dropout.key32();
        this.threshold = dropout == null ? 0 : dropout.threshold();
        this.scale = dropout == null ? 1f : dropout.scale();
    }

    DType dtype() {
        return dtype;
    }

    /** Whether elements are dropped. */
    boolean drops() {
        return drops;
    }

    /** The first row of the product that reads drop(B) (0 for every row). */
    int firstRow() {
        return firstRow;
    }

    /** The same dtype without dropout. */
    WeightRead plainRead() {
        return new WeightRead(dtype, quant, null);
    }

    static WeightRead of(DType dtype, @Nullable WeightDropout dropout) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("a GEMM weight must be F32, BF16 or F16, got " + dtype);
        }
        return new WeightRead(dtype, null, dropout);
    }

    /** A read of the quantized weight q (the B segment the kernels are given is then not read). */
    static WeightRead of(QuantizedWeight q, @Nullable WeightDropout dropout) {
        return new WeightRead(DType.F32, q, dropout);
    }

    /** Whether B is a {@link QuantizedWeight}, read only through {@link #decode} and {@link #get}. */
    boolean quantized() {
        return quant != null;
    }

    /**
     * Elements e … e + len − 1 of the quantized weight, dequantized as {@link QuantizedWeight#get} and dropped, into
     * out[at + i·stride]. NF4 scales (and rounds) its 16 code values once per block that the run crosses, into
     * {@code lut} (16 floats of the caller's), then looks each element up: the same products, bit for bit. INT8
     * reads its row scale once per row.
     */
    void decode(long e, int len, float[] out, int at, int stride, float[] lut) {
        QuantizedWeight q = quant;
        if (q == null) {
            throw new IllegalStateException("decode: not a quantized weight");
        }
        MemorySegment codes = q.codes();
        MemorySegment scales = q.scales();
        float[] table = nf4Table;
        long block = table != null ? q.blockSize() : q.cols();
        int i = 0;
        while (i < len) {
            long blk = (e + i) / block;
            int end = (int) Math.min(len, (blk + 1) * block - e);
            float s = scales.getAtIndex(F, blk);
            if (table != null) {
                for (int c = 0; c < 16; c++) {
                    float v = table[c] * s;
                    lut[c] = QuantizedWeight.round(v, q.roundTo());
                }
                i = drops ? nf4Dropped(codes, e, i, end, out, at, stride, lut)
                        : nf4(codes, e, i, end, out, at, stride, lut);
            } else {
                for (; i < end; i++) {
                    long x = e + i;
                    float v = codes.get(ValueLayout.JAVA_BYTE, x) * s * QuantizedWeight.INT8_STEP;
                    out[at + i * stride] = drops ? dropScalar(v, x) : v;
                }
            }
        }
    }

    /** Elements e + i … e + end − 1 of an NF4 weight through lut; returns end. */
    private static int nf4(MemorySegment codes, long e, int i, int end, float[] out, int at, int stride, float[] lut) {
        for (; i < end; i++) {
            long x = e + i;
            int b = codes.get(ValueLayout.JAVA_BYTE, x >>> 1);
            out[at + i * stride] = lut[(x & 1) == 0 ? (b >> 4) & 15 : b & 15];
        }
        return end;
    }

    /** {@link #nf4} with the dropout applied. */
    private int nf4Dropped(MemorySegment codes, long e, int i, int end, float[] out, int at, int stride, float[] lut) {
        for (; i < end; i++) {
            long x = e + i;
            int b = codes.get(ValueLayout.JAVA_BYTE, x >>> 1);
            out[at + i * stride] = dropScalar(lut[(x & 1) == 0 ? (b >> 4) & 15 : b & 15], x);
        }
        return end;
    }

    /**
     * L consecutive elements of B starting at element e, as float32, without dropout ({@link #dropped} applies it).
     * The two are separate methods, not one with a branch, so that no loop merges vectors from two paths: C2 boxes
     * a vector where control flow merges two of them, and a boxed vector per load costs more than the load.
     */
    FloatVector plain(MemorySegment b, long e) {
        return switch (dtype) {
            case BF16 -> bf16(b, e);
            case F16 -> f16(b, e);
            default -> FloatVector.fromMemorySegment(S, b, e * Float.BYTES, NATIVE);
        };
    }

    /** {@link #plain} with the dropout applied: for a read with {@link #drops()}. */
    FloatVector dropped(MemorySegment b, long e) {
        return drop(plain(b, e), e);
    }

    /** Element e of B as float32 after dropout: {@link #load}'s scalar twin. */
    float get(MemorySegment b, long e) {
        if (quant != null) {
            float v = quant.get(e);
            return drops ? dropScalar(v, e) : v;
        }
        float w = switch (dtype) {
            case BF16 -> Float.intBitsToFloat(b.getAtIndex(SHORT, e) << 16);
            case F16 -> Float.float16ToFloat(b.getAtIndex(SHORT, e));
            default -> b.getAtIndex(F, e);
        };
        return drops ? dropScalar(w, e) : w;
    }

    private static IntVector halves(MemorySegment b, long e) {
        ShortVector h = ShortVector.fromMemorySegment(H, b, e * 2, NATIVE);
        return (IntVector) h.convertShape(VectorOperators.S2I, I, 0);
    }

    static FloatVector bf16(MemorySegment b, long e) {
        return halves(b, e).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * IEEE half to float32 by bits, as {@code Float.float16ToFloat}: a normal number moves its exponent bias from
     * 15 to 127; a subnormal is its mantissa times 2⁻²⁴; infinities and NaNs keep their mantissa under an all-ones
     * exponent (a NaN made quiet).
     */
    static FloatVector f16(MemorySegment b, long e) {
        IntVector h = halves(b, e);
        IntVector mag = h.and(0x7fff);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector normal = mag.lanewise(VectorOperators.LSHL, 13).add(112 << 23);
        IntVector special = mag.lanewise(VectorOperators.LSHL, 13).or(0x7f800000);
        special = special.blend(special.or(0x00400000), mag.compare(VectorOperators.GT, 0x7c00));   // NaNs: quiet
        IntVector sub = ((FloatVector) mag.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
        IntVector bits = normal.blend(special, mag.compare(VectorOperators.GE, 0x7c00))
                .blend(sub, mag.compare(VectorOperators.LT, 0x400));
        return bits.or(sign).reinterpretAsFloats();
    }

    /**
     * Drops a packed panel again: {@code bd[to + p·NR + j] = drop(bp[from + p·NR + j])} for p &lt; kc and j &lt; NR,
     * where that element of the panel is element {@code first + p·step + j·stride} of B (a panel packed once plainly,
     * for a product whose lower rows read drop(B)). The whole loop in one method: no vector crosses a call that C2
     * might not inline (it would box it).
     */
    void dropPanel(float[] bp, int from, float[] bd, int to, int kc, long first, long step, int stride) {
        // (e + lane·stride)·golden = e·golden + lane·stride·golden: one vector multiply fewer per vector
        IntVector lanes = IntVector.fromArray(I, IOTA, 0).mul(stride * 0x9E3779B9);
        int half = L * stride * 0x9E3779B9;
        for (int p = 0; p < kc; p++) {
            int eg = (int) (first + p * step) * 0x9E3779B9;
            for (int j = 0; j < 2; j++) {
                int o = p * 2 * L + j * L;
                IntVector h = lanes.add(eg + j * half).lanewise(VectorOperators.XOR, key32);
                h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
                h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
                h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
                IntVector dropped = h.lanewise(VectorOperators.LSHR, 1).sub(threshold)
                        .lanewise(VectorOperators.ASHR, 31);
                FloatVector.fromArray(S, bp, from + o).mul(scale).reinterpretAsInts()
                        .lanewise(VectorOperators.AND_NOT, dropped).reinterpretAsFloats().intoArray(bd, to + o);
            }
        }
    }

    /** {@link #dropPanel}'s scalar twin: widened element e of B after dropout. */
    float dropScalar(float v, long e) {
        return WeightDropout.bits(key32, e) >>> 1 >= threshold ? v * scale : 0f;
    }

    /**
     * v (elements e … e + L − 1) after dropout, lane by lane: {@code (bits >>> 1) − threshold} is negative exactly
     * for a dropped element, so its sign, spread over the lane, clears the scaled value's bits; integer operations
     * only, which C2 compiles to vector instructions without masks.
     */
    private FloatVector drop(FloatVector v, long e) {
        IntVector h = IntVector.fromArray(I, IOTA, 0).add((int) e).mul(0x9E3779B9).lanewise(VectorOperators.XOR, key32);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
        IntVector dropped = h.lanewise(VectorOperators.LSHR, 1).sub(threshold).lanewise(VectorOperators.ASHR, 31);
        return v.mul(scale).reinterpretAsInts().lanewise(VectorOperators.AND_NOT, dropped).reinterpretAsFloats();
    }
}
