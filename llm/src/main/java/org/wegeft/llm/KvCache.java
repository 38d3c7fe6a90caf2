package org.wegeft.llm;

import java.util.ArrayList;
import java.util.List;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * The keys and values of every layer of a {@link CausalLM} for the tokens seen so far, preallocated as
 * (B, Hkv, Tmax, D) float32 per layer (after RoPE, before the grouped-query repeat). A forward with a cache
 * attends to the cached tokens plus its own, appends its own, and advances {@link #length()}; positions
 * continue from there. Not thread-safe; one cache per generation.
 *
 * <pre>{@code
 * try (KvCache cache = model.newCache(1, 512)) {
 *     Tensor logits = model.forward(promptIds, null, null, cache);   // prefill: (1, T, V)
 *     ...                                                            // then one token per call
 * }
 * }</pre>
 */
public final class KvCache implements AutoCloseable {
    private final List<Tensor> keys = new ArrayList<>();     // each (B, Hkv, Tmax, D)
    private final List<Tensor> values = new ArrayList<>();
    private final int batch;
    private final int capacity;
    private int length;

    KvCache(int layers, int batch, int kvHeads, int capacity, int headDim) {
        if (batch <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("KV cache needs a positive batch and capacity, got batch " + batch
                    + ", capacity " + capacity);
        }
        this.batch = batch;
        this.capacity = capacity;
        for (int i = 0; i < layers; i++) {
            keys.add(Tensor.zeros(batch, kvHeads, capacity, headDim));
            values.add(Tensor.zeros(batch, kvHeads, capacity, headDim));
        }
    }

    /** Tokens cached so far (the position of the next token when there is no padding). */
    public int length() {
        return length;
    }

    /** The most tokens this cache can hold. */
    public int capacity() {
        return capacity;
    }

    public int batch() {
        return batch;
    }

    /** Forgets every token (the buffers are reused). */
    public void reset() {
        length = 0;
    }

    /** Keeps only the first {@code newLength} tokens (e.g. to reuse a shared prompt). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("truncate to " + newLength + " outside [0, " + length + "]");
        }
        length = newLength;
    }

    /** Fails unless {@code t} more tokens fit. */
    void checkRoom(int t, long b) {
        if (b != batch) {
            throw new IllegalArgumentException("KV cache was made for batch " + batch + ", got a batch of " + b);
        }
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " cached + " + t + " new tokens exceed its"
                    + " capacity " + capacity + " (make a larger cache with newCache)");
        }
    }

    /**
     * Writes layer {@code layer}'s new k, v (B, Hkv, T, D) at [length, length + T) and returns views of all
     * cached keys and values (B, Hkv, length + T, D). The caller closes the views.
     */
    Tensor[] append(int layer, Tensor k, Tensor v) {
        int t = Math.toIntExact(k.size(2));
        Tensor kc = keys.get(layer);
        Tensor vc = values.get(layer);
        try (Grad.Mode off = Grad.disabled()) {
            write(kc, k, t);
            write(vc, v, t);
            return new Tensor[] {kc.narrow(2, 0, length + t), vc.narrow(2, 0, length + t)};
        }
    }

    // one contiguous (T, D) block per (batch, head)
    private void write(Tensor cache, Tensor src, int t) {
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < cache.size(1); h++) {
                try (Tensor cb = cache.select(0, b); Tensor ch = cb.select(0, h); Tensor dst = ch.narrow(0, length, t);
                     Tensor sb = src.select(0, b); Tensor sh = sb.select(0, h)) {
                    dst.copyFrom(sh);
                }
            }
        }
    }

    /** Called by the model once every layer has appended T tokens. */
    void advance(int t) {
        length += t;
    }

    @Override
    public void close() {
        keys.forEach(Tensor::close);
        values.forEach(Tensor::close);
        keys.clear();
        values.clear();
    }
}
