package org.wegeft.llm;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;

/**
 * What every decoder block of one forward shares: the rotary cos/sin (T, D/2) for its positions (one pair for
 * the whole batch, or one per row when rows have different positions), the additive attention mask
 * (B, 1, T, Tk) or null for plain causal attention, and the KV cache or null.
 */
record BlockContext(List<Tensor> cos, List<Tensor> sin, @Nullable Tensor maskBias, @Nullable KvCache cache) {

    /** x: (B, heads, T, D) rotated by these positions. */
    Tensor rope(Tensor x) {
        if (cos.size() == 1) {
            return Functional.rope(x, cos.get(0), sin.get(0));
        }
        List<Tensor> rows = new ArrayList<>(cos.size());
        try {
            for (int b = 0; b < cos.size(); b++) {
                try (Tensor xb = x.select(0, b)) {
                    rows.add(Functional.rope(xb, cos.get(b), sin.get(b)));   // (heads, T, D)
                }
            }
            return Functional.stack(rows, 0);
        } finally {
            rows.forEach(Tensor::close);
        }
    }

    /** The tensors of this context as a flat list (for gradient checkpointing): [cos…, sin…, mask?]. */
    List<Tensor> tensors() {
        List<Tensor> out = new ArrayList<>(cos);
        out.addAll(sin);
        if (maskBias != null) {
            out.add(maskBias);
        }
        return out;
    }

    /** The inverse of {@link #tensors()} for a context with {@code rows} cos/sin pairs. */
    static BlockContext of(List<Tensor> flat, int rows) {
        return new BlockContext(flat.subList(0, rows), flat.subList(rows, 2 * rows),
                flat.size() > 2 * rows ? flat.get(2 * rows) : null, null);
    }

    void close() {
        cos.forEach(Tensor::close);
        sin.forEach(Tensor::close);
        if (maskBias != null) {
            maskBias.close();
        }
    }
}
