package org.wegeft.kernels;

/**
 * Inverted dropout of a GEMM's weight operand, generated where the weight is read and never stored: element
 * {@code e} of the weight buffer (its index counted from the buffer's first element, so row·ld + column of a
 * matrix) is kept when the top 31 bits of {@link #bits}{@code (e)}, {@code bits >>> 1}, are at least
 * {@link #threshold()} = round(p·2³¹); a kept element is multiplied by {@link #scale()} = 1/(1−p) in float32, a
 * dropped one is 0. The bits are a counter-based hash of (key, e), so the same key regenerates the same mask in
 * backward, on any backend, in any order of the elements. (31 bits, so that a kernel decides with one signed
 * subtraction: {@code (bits >>> 1) − threshold} is negative exactly for a dropped element.)
 *
 * <p>{@code firstRow} lets one product serve a layer and its dropped twin: rows of A (and of C) from {@code firstRow}
 * on are multiplied by drop(B), the rows above by B as it is, so both share one pass over the weight (WeGeFT's base
 * product x·Wᵀ and its generator's phi·drop(W)ᵀ stacked as one A). 0, the usual case, drops for every row.
 *
 * @param key      64 random bits chosen per use (per step and layer); equal keys give equal masks
 * @param p        probability of dropping an element, in [0, 1)
 * @param firstRow the first row of the product that reads drop(B), ≥ 0
 */
public record WeightDropout(long key, float p, int firstRow) {

    private static final int GOLDEN = 0x9E3779B9;

    public WeightDropout {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("weight dropout probability must be in [0, 1), got " + p);
        }
        if (firstRow < 0) {
            throw new IllegalArgumentException("weight dropout's first dropped row must be >= 0, got " + firstRow);
        }
    }

    /** Dropout for every row of the product. */
    public WeightDropout(long key, float p) {
        this(key, p, 0);
    }

    /** The same mask, from row {@code row} of the product on. */
    public WeightDropout fromRow(int row) {
        return new WeightDropout(key, p, row);
    }

    /** What a kept element is multiplied by: 1/(1−p). */
    public float scale() {
        return 1f / (1f - p);
    }

    /** The threshold round(p·2³¹), in [0, 2³¹). */
    public int threshold() {
        return (int) Math.min(Integer.MAX_VALUE, Math.round(p * 2147483648.0));
    }

    /** The 32 key bits the hash uses: both halves of the key folded together. */
    public int key32() {
        return (int) (key ^ (key >>> 32));
    }

    /**
     * The 32 random bits of element {@code e}: murmur3's finaliser of {@code e·0x9E3779B9 ^ key32}. Only the low
     * 32 bits of e count, so a weight operand holds fewer than 2³² elements.
     */
    public static int bits(int key32, long e) {
        int h = (int) e * GOLDEN ^ key32;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ h >>> 16;
    }

    /** Whether element {@code e} is kept. */
    public boolean keeps(long e) {
        return bits(key32(), e) >>> 1 >= threshold();
    }

    /** The element's value after dropout: {@code w·scale} when kept, else 0. */
    public float apply(long e, float w) {
        return keeps(e) ? w * scale() : 0f;
    }
}
