package org.wegeft.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Quantizes a weight as bitsandbytes' pure-PyTorch CPU ops do, bit for bit (the fixtures of
 * {@code tools/fixtures/make_quant_fixtures.py} are re-implemented from them): {@link #nf4} as {@code quantize_4bit}
 * (nf4), {@link #nestAbsmax} as {@code quantize_4bit}'s {@code compress_statistics}, {@link #int8} as
 * {@code int8_vectorwise_quant} with threshold 0. The source is read element by element in its stored dtype (F32,
 * BF16 or F16), so a memory-mapped tensor is quantized without a float32 copy of it.
 */
public final class Quantizers {
    /** bitsandbytes' NF4 code table ({@code get_4bit_type("nf4")}). */
    private static final float[] NF4 = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f, -0.28444138169288635f,
        -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f, 0.16093020141124725f,
        0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f,
        0.7229568362236023f, 1.0f,
    };
    /** bitsandbytes' NF4 block size. */
    public static final int NF4_BLOCK = 64;
    /** The block size of the nested quantization of NF4 absmax values. */
    public static final int NESTED_BLOCK = 256;
    /** NF4 blocks per task when quantizing on several threads. */
    private static final int GRAIN = 1024;
    /** Floor of a block's absmax before its reciprocal (torch's {@code clamp(min=1e-38)}). */
    private static final float TINY = 1e-38f;

    private Quantizers() {
    }

    /** A copy of bitsandbytes' NF4 code table. */
    public static float[] nf4Table() {
        return NF4.clone();
    }

    /** A copy of bitsandbytes' signed 8-bit dynamic map ({@code create_dynamic_map()}), 256 ascending values. */
    public static float[] dynamicMap8() {
        return DYNAMIC.clone();
    }

    /**
     * NF4 of the (rows, cols) weight {@code src} (stored as {@code srcType}), blocks of {@link #NF4_BLOCK} in
     * row-major order: each block scaled by its absmax, each value given the nearest code, the lower one at a
     * midpoint. {@code roundTo} is carried to the result (the dtype dequantized values are rounded to).
     */
    public static QuantizedWeight nf4(DType srcType, MemorySegment src, int rows, int cols, DType roundTo) {
        long n = (long) rows * cols;
        Arena arena = Arena.ofAuto();
        MemorySegment packed = arena.allocate(Math.max(1, (n + 1) / 2)).asSlice(0, (n + 1) / 2);
        long blocks = Math.ceilDiv(n, NF4_BLOCK);
        MemorySegment absmax = arena.allocate(Math.max(1, blocks) * Float.BYTES, Float.BYTES)
                .asSlice(0, blocks * Float.BYTES);
        float[] bounds = midpoints(NF4);
        // blocks are independent and start at even elements (whole bytes): any split over threads gives the same bits
        Parallel.forRange(Math.toIntExact(blocks), GRAIN, (b0, b1) -> {
            float[] scaled = new float[NF4_BLOCK];
            for (long blk = b0; blk < b1; blk++) {
                long from = blk * NF4_BLOCK;
                int len = (int) Math.min(NF4_BLOCK, n - from);
                float am = scaleBlock(srcType, src, from, len, len == NF4_BLOCK, scaled);
                absmax.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, blk, am);
                for (int i = 0; i < len; i++) {
                    long e = from + i;
                    int q = bucket(bounds, scaled[i]);
                    long at = e >>> 1;
                    byte old = (e & 1) == 0 ? 0 : packed.get(ValueLayout.JAVA_BYTE, at);
                    packed.set(ValueLayout.JAVA_BYTE, at, (byte) ((e & 1) == 0 ? q << 4 : old | q));
                }
            }
        });
        if ((n & 1) == 1) {   // the pad element is a scaled 0
            long at = n >>> 1;
            packed.set(ValueLayout.JAVA_BYTE, at, (byte) (packed.get(ValueLayout.JAVA_BYTE, at) | bucket(bounds, 0f)));
        }
        return new QuantizedWeight(QuantFormat.NF4, rows, cols, packed, absmax, NF4, NF4_BLOCK, roundTo);
    }

    /**
     * Scales the block [from, from + len) of src into out: a whole block multiplies by the reciprocal of its absmax, a
     * partial (last) one divides by it, both clamped to [−1, 1], as bitsandbytes does; returns the absmax it stores
     * (a partial block's floored at 1e-38, a whole one's not).
     */
    private static float scaleBlock(DType srcType, MemorySegment src, long from, int len, boolean whole,
                                    float[] out) {
        float am = 0f;
        for (int i = 0; i < len; i++) {
            float v = read(srcType, src, from + i);
            out[i] = v;
            am = Math.max(am, Math.abs(v));
        }
        float floor = Math.max(am, TINY);
        float inv = 1f / floor;
        for (int i = 0; i < len; i++) {
            float s = whole ? out[i] * inv : out[i] / floor;
            out[i] = Math.min(1f, Math.max(-1f, s));
        }
        return whole ? am : floor;
    }

    /** Element e of src as float32. */
    static float read(DType t, MemorySegment src, long e) {
        return switch (t) {
            case F32 -> src.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, e);
            case BF16 -> Float.intBitsToFloat(src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, e) << 16);
            case F16 -> Float.float16ToFloat(src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, e));
            case I32 -> throw new IllegalArgumentException("quantize: the source must be F32, BF16 or F16, got I32");
        };
    }

    /** (code[i] + code[i + 1]) / 2 in float32. */
    private static float[] midpoints(float[] code) {
        float[] b = new float[code.length - 1];
        for (int i = 0; i < b.length; i++) {
            b[i] = (code[i] + code[i + 1]) / 2f;
        }
        return b;
    }

    /** torch.bucketize(v, bounds) (right = False): the number of bounds below v, so a v on a bound takes the lower. */
    private static int bucket(float[] bounds, float v) {
        int lo = 0;
        int hi = bounds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The nested (double) quantization of NF4 absmax values: their mean as offset, the rest 8-bit blockwise with the
     * dynamic map in blocks of {@link #NESTED_BLOCK}. The offset is the exact mean rounded once to float32 (torch
     * sums in a CPU-dependent order; the two agree to an ulp).
     */
    public static NestedAbsmax nestAbsmax(float[] absmax) {
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        return nestAbsmax(absmax, (float) (sum / absmax.length));
    }

    /** {@link #nestAbsmax(float[])} with a given offset. */
    public static NestedAbsmax nestAbsmax(float[] absmax, float offset) {
        int n = absmax.length;
        MemorySegment centred = MemorySegment.ofArray(new float[n]);
        for (int i = 0; i < n; i++) {
            centred.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, absmax[i] - offset);
        }
        int blocks = Math.ceilDiv(n, NESTED_BLOCK);
        byte[] codes = new byte[n];
        float[] absmax2 = new float[blocks];
        float[] bounds = midpoints(DYNAMIC);
        float[] scaled = new float[NESTED_BLOCK];
        for (int blk = 0; blk < blocks; blk++) {
            int from = blk * NESTED_BLOCK;
            int len = Math.min(NESTED_BLOCK, n - from);
            absmax2[blk] = scaleBlock(DType.F32, centred, from, len, len == NESTED_BLOCK, scaled);
            for (int i = 0; i < len; i++) {
                codes[from + i] = (byte) bucket(bounds, scaled[i]);
            }
        }
        return new NestedAbsmax(offset, codes, absmax2, restoreAbsmax(codes, absmax2, DYNAMIC, NESTED_BLOCK, offset));
    }

    /**
     * Absmax values restored from their nested quantization as bitsandbytes' {@code dequantize_blockwise} + offset
     * does: {@code map[codes[i] & 255] · absmax2[i / blockSize] + offset} in float32 (a checkpoint's
     * {@code nested_absmax}, {@code nested_quant_map}, {@code nested_blocksize} and {@code nested_offset}).
     */
    public static float[] restoreAbsmax(byte[] codes, float[] absmax2, float[] map, int blockSize, float offset) {
        if (map.length != 256 || blockSize <= 0 || absmax2.length != Math.ceilDiv(codes.length, blockSize)) {
            throw new IllegalArgumentException("nested absmax: " + codes.length + " codes in blocks of " + blockSize
                    + " need " + Math.ceilDiv(codes.length, Math.max(1, blockSize)) + " block scales and a 256-value"
                    + " map, got " + absmax2.length + " and " + map.length);
        }
        float[] out = new float[codes.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = map[codes[i] & 255] * absmax2[i / blockSize] + offset;
        }
        return out;
    }

    /**
     * The int8 weight of the (rows, cols) weight src: per row, absmax and codes {@code rint(x · ((1 / absmax) · 127))}
     * (half to even, each step in float32 as torch evaluates {@code A * (127.0 / row_stats)}); a row of zeros gets codes 0 and absmax 0 (bitsandbytes' CUDA kernel's result; torch's is undefined).
     */
    public static QuantizedWeight int8(DType srcType, MemorySegment src, int rows, int cols) {
        long n = (long) rows * cols;
        Arena arena = Arena.ofAuto();
        MemorySegment codes = arena.allocate(Math.max(1, n)).asSlice(0, n);
        MemorySegment stats = arena.allocate(Math.max(1, rows) * (long) Float.BYTES, Float.BYTES)
                .asSlice(0, (long) rows * Float.BYTES);
        Parallel.forRange(rows, Math.max(1, GRAIN * NF4_BLOCK / Math.max(1, cols)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * cols;
                float am = 0f;
                for (int c = 0; c < cols; c++) {
                    am = Math.max(am, Math.abs(read(srcType, src, base + c)));
                }
                stats.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, r, am);
                // torch evaluates 127.0 / row_stats as reciprocal(row_stats) · 127: two roundings, which decide ties
                float scale = (1f / am) * 127f;
                for (int c = 0; c < cols; c++) {
                    float q = (float) Math.rint(read(srcType, src, base + c) * scale);
                    codes.set(ValueLayout.JAVA_BYTE, base + c, Float.isNaN(q) ? 0 : (byte) (int) q);
                }
            }
        });
        return new QuantizedWeight(QuantFormat.INT8, rows, cols, codes, stats, new float[0], cols, DType.F32);
    }

    /**
     * {@code w} (NF4) with its absmax values double-quantized ({@link #nestAbsmax(float[])}) and replaced by their
     * restored values: the weight bitsandbytes dequantizes under {@code compress_statistics}.
     */
    public static QuantizedWeight withNestedAbsmax(QuantizedWeight w) {
        if (w.format() != QuantFormat.NF4) {
            throw new IllegalArgumentException("double quantization applies to NF4 weights, got " + w.format());
        }
        float[] absmax = w.scales().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
        float[] restored = nestAbsmax(absmax).restored();
        return new QuantizedWeight(QuantFormat.NF4, w.rows(), w.cols(), w.codes(), MemorySegment.ofArray(restored),
                w.table(), w.blockSize(), w.roundTo());
    }

    /**
     * bitsandbytes' {@code create_dynamic_map()} (signed, 7 exponent bits, 8 bits) as float32 bits, ascending: midpoints
     * of {@code torch.linspace(0.1, 1, 2^i + 1)} times ±10^(i−6) for i in 0..6, then 0 and 1. The values are data,
     * not recomputed: torch's vectorised linspace rounds some of them differently on different CPUs, and checkpoints
     * carry the map they were made with (these are the script's, torch 1.13 on x86-64).
     */
    private static final int[] DYNAMIC_BITS = {
        0xbf7e3333, 0xbf7a9999, 0xbf770000, 0xbf736666, 0xbf6fcccc, 0xbf6c3333, 0xbf68999a, 0xbf650000,
        0xbf616666, 0xbf5dcccc, 0xbf5a3333, 0xbf569999, 0xbf530000, 0xbf4f6666, 0xbf4bcccc, 0xbf483333,
        0xbf44999a, 0xbf410000, 0xbf3d6667, 0xbf39cccd, 0xbf363334, 0xbf32999a, 0xbf2f0000, 0xbf2b6667,
        0xbf27cccd, 0xbf243333, 0xbf20999a, 0xbf1d0000, 0xbf196666, 0xbf15cccd, 0xbf123334, 0xbf0e999a,
        0xbf0b0000, 0xbf076666, 0xbf03cccd, 0xbf003333, 0xbef93334, 0xbef20000, 0xbeeacccc, 0xbee3999a,
        0xbedc6666, 0xbed53332, 0xbece0000, 0xbec6cccc, 0xbebf999a, 0xbeb86666, 0xbeb13332, 0xbeaa0000,
        0xbea2cccc, 0xbe9b999a, 0xbe946666, 0xbe8d3334, 0xbe860000, 0xbe7d999a, 0xbe6f3334, 0xbe60cccd,
        0xbe526666, 0xbe440000, 0xbe359999, 0xbe273333, 0xbe18cccd, 0xbe0a6666, 0xbdf80000, 0xbddb3334,
        0xbdc9eb85, 0xbdc428f5, 0xbdbe6667, 0xbdb8a3d7, 0xbdb2e148, 0xbdad1eb8, 0xbda75c28, 0xbda1999a,
        0xbd9bd70a, 0xbd96147b, 0xbd9051eb, 0xbd8a8f5d, 0xbd84cccd, 0xbd7e147a, 0xbd728f5d, 0xbd670a3d,
        0xbd5b851f, 0xbd500000, 0xbd447ae1, 0xbd38f5c3, 0xbd2d70a3, 0xbd21eb85, 0xbd166667, 0xbd0ae147,
        0xbcfeb852, 0xbce7ae13, 0xbcd0a3d7, 0xbcb9999a, 0xbca28f5c, 0xbc8b851f, 0xbc68f5c3, 0xbc3ae148,
        0xbc1f3b64, 0xbc160418, 0xbc0ccccd, 0xbc039581, 0xbbf4bc6a, 0xbbe24dd3, 0xbbcfdf3b, 0xbbbd70a4,
        0xbbab020d, 0xbb989374, 0xbb8624dd, 0xbb676c8a, 0xbb428f5c, 0xbb1db22d, 0xbaf1a9fc, 0xbaa7ef9d,
        0xba7765ff, 0xba59e83e, 0xba3c6a80, 0xba1eecc1, 0xba016f01, 0xb9c7e283, 0xb98ce705, 0xb923d70b,
        0xb8ba1f4b, 0xb88aefb3, 0xb8378034, 0xb7b24206, 0xb70205ff, 0xb65a1a94, 0xb513a3b7, 0x00000000,
        0x3513a3b7, 0x365a1a94, 0x370205ff, 0x37b24206, 0x38378034, 0x388aefb3, 0x38ba1f4b, 0x3923d70b,
        0x398ce705, 0x39c7e283, 0x3a016f01, 0x3a1eecc1, 0x3a3c6a80, 0x3a59e83e, 0x3a7765ff, 0x3aa7ef9d,
        0x3af1a9fc, 0x3b1db22d, 0x3b428f5c, 0x3b676c8a, 0x3b8624dd, 0x3b989374, 0x3bab020d, 0x3bbd70a4,
        0x3bcfdf3b, 0x3be24dd3, 0x3bf4bc6a, 0x3c039581, 0x3c0ccccd, 0x3c160418, 0x3c1f3b64, 0x3c3ae148,
        0x3c68f5c3, 0x3c8b851f, 0x3ca28f5c, 0x3cb9999a, 0x3cd0a3d7, 0x3ce7ae13, 0x3cfeb852, 0x3d0ae147,
        0x3d166667, 0x3d21eb85, 0x3d2d70a3, 0x3d38f5c3, 0x3d447ae1, 0x3d500000, 0x3d5b851f, 0x3d670a3d,
        0x3d728f5d, 0x3d7e147a, 0x3d84cccd, 0x3d8a8f5d, 0x3d9051eb, 0x3d96147b, 0x3d9bd70a, 0x3da1999a,
        0x3da75c28, 0x3dad1eb8, 0x3db2e148, 0x3db8a3d7, 0x3dbe6667, 0x3dc428f5, 0x3dc9eb85, 0x3ddb3334,
        0x3df80000, 0x3e0a6666, 0x3e18cccd, 0x3e273333, 0x3e359999, 0x3e440000, 0x3e526666, 0x3e60cccd,
        0x3e6f3334, 0x3e7d999a, 0x3e860000, 0x3e8d3334, 0x3e946666, 0x3e9b999a, 0x3ea2cccc, 0x3eaa0000,
        0x3eb13332, 0x3eb86666, 0x3ebf999a, 0x3ec6cccc, 0x3ece0000, 0x3ed53332, 0x3edc6666, 0x3ee3999a,
        0x3eeacccc, 0x3ef20000, 0x3ef93334, 0x3f003333, 0x3f03cccd, 0x3f076666, 0x3f0b0000, 0x3f0e999a,
        0x3f123334, 0x3f15cccd, 0x3f196666, 0x3f1d0000, 0x3f20999a, 0x3f243333, 0x3f27cccd, 0x3f2b6667,
        0x3f2f0000, 0x3f32999a, 0x3f363334, 0x3f39cccd, 0x3f3d6667, 0x3f410000, 0x3f44999a, 0x3f483333,
        0x3f4bcccc, 0x3f4f6666, 0x3f530000, 0x3f569999, 0x3f5a3333, 0x3f5dcccc, 0x3f616666, 0x3f650000,
        0x3f68999a, 0x3f6c3333, 0x3f6fcccc, 0x3f736666, 0x3f770000, 0x3f7a9999, 0x3f7e3333, 0x3f800000,
    };

    private static float[] dynamicMap() {
        float[] map = new float[DYNAMIC_BITS.length];
        for (int i = 0; i < map.length; i++) {
            map[i] = Float.intBitsToFloat(DYNAMIC_BITS[i]);
        }
        return map;
    }

    private static final float[] DYNAMIC = dynamicMap();
}
