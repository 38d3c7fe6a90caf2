package org.wegeft.cli.perf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.wegeft.kernels.DType;
import org.wegeft.nn.Embedding;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Param;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.MemoryStats;
import org.wegeft.tensor.Tensor;

/**
 * Re-stores a built model's weight matrices in another dtype, in place: the weight of every {@link Linear} and
 * {@link Embedding} whose module path {@code select} accepts. To BF16 the weights become frozen, as those of a
 * Hugging Face bf16 checkpoint load into this library; to F32 they become float32 copies that can train (full
 * fine-tuning of a bf16 model, as {@code CausalLM.toFloat32()}).
 *
 * <p>One tensor at a time: each old tensor is closed before the next is converted, so the model never exists in
 * both dtypes, and the blocks it held are given back at the end ({@link MemoryStats#releaseCached()}) instead of
 * staying cached, resident, through the run. A tensor shared by several modules (tied embeddings) is converted
 * once, when any of its modules is selected, and every holder gets the new tensor.
 */
final class FrozenWeights {
    private FrozenWeights() {
    }

    /** @return how many tensors were converted (those already in {@code dtype} are left alone) */
    static int convert(Module model, DType dtype, Predicate<String> select) {
        Map<Tensor, List<Param>> holders = new IdentityHashMap<>();
        Set<Tensor> selected = Collections.newSetFromMap(new IdentityHashMap<>());
        model.namedModules().forEach((path, m) -> {
            Param p = m instanceof Linear l ? l.weightParam() : m instanceof Embedding e ? e.weightParam() : null;
            if (p != null) {
                holders.computeIfAbsent(p.get(), k -> new ArrayList<>()).add(p);
                if (select.test(path)) {
                    selected.add(p.get());
                }
            }
        });
        int converted = 0;
        try (Grad.Mode off = Grad.disabled()) {
            for (Map.Entry<Tensor, List<Param>> e : holders.entrySet()) {
                Tensor old = e.getKey();
                if (!selected.contains(old) || old.dtype() == dtype) {
                    continue;
                }
                Tensor replacement = old.to(dtype);
                for (Param p : e.getValue()) {
                    p.set(replacement);                  // closes the old tensor
                }
                converted++;
            }
        }
        if (converted > 0) {
            MemoryStats.releaseCached();
        }
        return converted;
    }
}
