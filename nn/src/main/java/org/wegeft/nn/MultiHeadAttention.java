package org.wegeft.nn;

import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/** Head bookkeeping around {@link Functional#scaledDotProductAttention}: split (B, T, H·D) into heads and back. */
public final class MultiHeadAttention {
    private MultiHeadAttention() {
    }

    /** x: (B, T, H·D) → (B, H, T, D) (a view). */
    public static Tensor splitHeads(Tensor x, int heads) {
        if (x.dim() != 3 || heads <= 0 || x.size(2) % heads != 0) {
            throw new IllegalArgumentException("splitHeads: expected (B, T, C) with C divisible by heads=" + heads
                    + ", got " + x);
        }
        return TensorScope.call(() -> x.view(x.size(0), x.size(1), heads, x.size(2) / heads).transpose(1, 2));
    }

    /** x: (B, H, T, D) → (B, T, H·D) (a copy when needed). */
    public static Tensor mergeHeads(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("mergeHeads: expected (B, H, T, D), got " + x);
        }
        return TensorScope.call(() -> x.transpose(1, 2).reshape(x.size(0), x.size(2), x.size(1) * x.size(3)));
    }

    /**
     * Multi-head attention of projected q (B, Tq, H·D) and k, v (B, Tk, Hkv·D): split, attend (scale 1/√D),
     * merge → (B, Tq, H·D).
     */
    public static Tensor attend(Tensor q, Tensor k, Tensor v, int heads, int kvHeads, boolean causal) {
        return TensorScope.call(() -> mergeHeads(Functional.scaledDotProductAttention(splitHeads(q, heads),
                splitHeads(k, kvHeads), splitHeads(v, kvHeads), causal)));
    }
}
