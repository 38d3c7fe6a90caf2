package org.wegeft.llm;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * What every decoder block of one forward shares:
 * <ul>
 * <li>the rotary tables: per rotary embedding of the model (the global one, and Gemma 3's local one), cos/sin
 *     (T, R/2) for this forward's positions, one pair for the whole batch or one per row when rows have different
 *     positions (R ≤ D: with a partial rotary factor only the first R dimensions of a head turn);</li>
 * <li>the additive mask (B|1, 1, T, Tk) of full-attention layers, or null for plain causal attention;</li>
 * <li>for sliding-window layers, the first key any query of this forward sees ({@code windowStart}) and the
 *     additive mask over keys [windowStart, Tk), or null when the window hides nothing causal attention does not;</li>
 * <li>the KV cache, or null.</li>
 * </ul>
 */
record BlockContext(List<Rope> ropes, @Nullable Tensor maskBias, int windowStart, @Nullable Tensor windowBias,
        @Nullable KvCache cache) {

    /** One rotary embedding's cos and sin tables, one entry per distinct row of positions. */
    record Rope(List<Tensor> cos, List<Tensor> sin) {
    }

    /** x: (B, heads, T, D) rotated by these positions with rotary table {@code index}. */
    Tensor rope(Tensor x, int index) {
        Rope r = ropes.get(index);
        long rotated = 2 * r.cos().get(0).size(-1);
        long d = x.size(-1);
        if (rotated < d) {   // partial rotary: the first R dimensions turn, the rest pass through
            return TensorScope.call(() -> Functional.cat(List.of(rope(x.narrow(-1, 0, rotated), r),
                    x.narrow(-1, rotated, d - rotated)), -1));
        }
        return rope(x, r);
    }

    private static Tensor rope(Tensor x, Rope r) {
        if (r.cos().size() == 1) {
            return Functional.rope(x, r.cos().get(0), r.sin().get(0));
        }
        List<Tensor> rows = new ArrayList<>(r.cos().size());
        try {
            for (int b = 0; b < r.cos().size(); b++) {
                try (Tensor xb = x.select(0, b)) {
                    rows.add(Functional.rope(xb, r.cos().get(b), r.sin().get(b)));   // (heads, T, D)
                }
            }
            return Functional.stack(rows, 0);
        } finally {
            rows.forEach(Tensor::close);
        }
    }

    /** The tensors of this context as a flat list (for gradient checkpointing): cos and sin tables, masks. */
    List<Tensor> tensors() {
        List<Tensor> out = new ArrayList<>();
        for (Rope r : ropes) {
            out.addAll(r.cos());
            out.addAll(r.sin());
        }
        if (maskBias != null) {
            out.add(maskBias);
        }
        if (windowBias != null) {
            out.add(windowBias);
        }
        return out;
    }

    /** A context laid out as this one, over {@code flat} (the tensors of {@link #tensors()}, recomputed), no cache. */
    BlockContext over(List<Tensor> flat) {
        List<Rope> rs = new ArrayList<>();
        int i = 0;
        for (Rope r : ropes) {
            int n = r.cos().size();
            rs.add(new Rope(flat.subList(i, i + n), flat.subList(i + n, i + 2 * n)));
            i += 2 * n;
        }
        Tensor mask = maskBias == null ? null : flat.get(i++);
        Tensor window = windowBias == null ? null : flat.get(i);
        return new BlockContext(rs, mask, windowStart, window, null);
    }

    void close() {
        for (Rope r : ropes) {
            r.cos().forEach(Tensor::close);
            r.sin().forEach(Tensor::close);
        }
        if (maskBias != null) {
            maskBias.close();
        }
        if (windowBias != null) {
            windowBias.close();
        }
    }
}
