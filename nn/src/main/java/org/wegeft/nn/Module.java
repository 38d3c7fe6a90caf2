package org.wegeft.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * A node of the model tree, PyTorch {@code nn.Module} style: insertion-ordered parameters, buffers and
 * children registered under the checkpoint's own snake_case names, so {@link #namedParameters()} yields
 * exactly the keys of a Hugging Face / timm checkpoint ({@code blocks.0.attn.qkv.weight}).
 *
 * <p>Subclasses register in their constructor and keep the returned {@link Param} / {@link Slot} handles in
 * fields; {@code forward} methods are typed per module (no generic forward here).
 */
public abstract class Module {
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<String, Slot<?>> children = new LinkedHashMap<>();
    private boolean training = true;

    // ------------------------------------------------------------------ registration

    /**
     * Registers a parameter: trainable (marked requiresGrad) when it is F32; a BF16/F16 weight (e.g. memory-mapped
     * from a checkpoint) or a quantized one is registered frozen, since only plain F32 tensors can carry gradients.
     */
    protected final Param registerParameter(String name, Tensor value) {
        checkName(name);
        value.requiresGrad(value.dtype() == org.wegeft.kernels.DType.F32 && value.quantFormat() == null);
        Param p = new Param(name, value, false);
        params.put(name, p);
        return p;
    }

    /** Registers a buffer: saved in the state dict, never trained. */
    protected final Param registerBuffer(String name, Tensor value) {
        checkName(name);
        Param p = new Param(name, value, true);
        params.put(name, p);
        return p;
    }

    /** Registers a child whose replacements must be of {@code type} (e.g. {@code Layer.class}). */
    protected final <M> Slot<M> registerModule(String name, Class<M> type, M module) {
        checkName(name);
        if (!(module instanceof Module)) {
            throw new IllegalArgumentException("child '" + name + "' is not a Module: " + module.getClass().getName());
        }
        Slot<M> s = new Slot<>(name, type, module);
        children.put(name, s);
        return s;
    }

    /** Registers a child of its own class. */
    @SuppressWarnings("unchecked")
    protected final <M extends Module> Slot<M> registerModule(String name, M module) {
        return registerModule(name, (Class<M>) module.getClass(), module);
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid name '" + name + "' in " + getClass().getSimpleName());
        }
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    // ------------------------------------------------------------------ traversal

    /** Direct children in registration order. */
    public final Map<String, Module> children() {
        Map<String, Module> out = new LinkedHashMap<>();
        children.forEach((k, s) -> out.put(k, s.module()));
        return out;
    }

    /** Every module with its dotted path, this one first under "" (depth first, registration order). */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", this, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void collectModules(String prefix, Module m, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(m)) {
            return;
        }
        out.put(prefix, m);
        m.children.forEach((k, s) -> collectModules(prefix.isEmpty() ? k : prefix + "." + k, s.module(), out, seen));
    }

    /**
     * Trainable-or-frozen parameters (not buffers) by dotted path. A tensor shared by several modules appears
     * once, under the first path that reaches it (PyTorch's de-duplication).
     */
    public final Map<String, Tensor> namedParameters() {
        return collect(false);
    }

    /** Buffers by dotted path. */
    public final Map<String, Tensor> namedBuffers() {
        return collect(true);
    }

    private Map<String, Tensor> collect(boolean buffers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((path, m) -> m.params.forEach((k, p) -> {
            if (p.isBuffer() == buffers && seen.add(p.get())) {
                out.put(path.isEmpty() ? k : path + "." + k, p.get());
            }
        }));
        return out;
    }

    /** Parameters with requiresGrad, by dotted path. */
    public final Map<String, Tensor> trainableParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((k, t) -> {
            if (t.requiresGrad()) {
                out.put(k, t);
            }
        });
        return out;
    }

    /** Total number of parameter elements (shared tensors counted once). */
    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(Tensor::numel).sum();
    }

    /** Number of trainable parameter elements. */
    public final long trainableParameterCount() {
        return trainableParameters().values().stream().mapToLong(Tensor::numel).sum();
    }

    /** Sets requiresGrad on every parameter of this subtree. */
    public final Module requiresGrad(boolean requires) {
        for (Tensor t : namedParameters().values()) {
            t.requiresGrad(requires);
        }
        return this;
    }

    /** The module at a dotted path ("" is this one). */
    public final Module module(String path) {
        Module m = namedModules().get(path);
        if (m == null) {
            throw new IllegalArgumentException("no module at path '" + path + "' in " + getClass().getSimpleName());
        }
        return m;
    }

    /** The holder of a parameter or buffer at a dotted path. */
    public final Param param(String path) {
        int dot = path.lastIndexOf('.');
        Module owner = dot < 0 ? this : module(path.substring(0, dot));
        Param p = owner.params.get(path.substring(dot + 1));
        if (p == null) {
            throw new IllegalArgumentException("no parameter or buffer '" + path + "' in " + getClass().getSimpleName());
        }
        return p;
    }

    /**
     * Replaces the module at {@code path}; the replacement must be of the slot's declared type.
     * @return the module that was there
     */
    public final Module replace(String path, Module replacement) {
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? this : module(path.substring(0, dot));
        String name = path.substring(dot + 1);
        Slot<?> slot = parent.children.get(name);
        if (slot == null) {
            throw new IllegalArgumentException("no module at path '" + path + "' in " + getClass().getSimpleName());
        }
        if (!slot.type().isInstance(replacement)) {
            throw new IllegalArgumentException("cannot replace '" + path + "' (" + slot.type().getSimpleName()
                    + ") with a " + replacement.getClass().getSimpleName());
        }
        Module old = slot.module();
        slot.set(replacement);
        return old;
    }

    // ------------------------------------------------------------------ state

    /** Parameters and buffers by dotted path (the tensors themselves, not copies). */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>(namedParameters());
        out.putAll(namedBuffers());
        return out;
    }

    /**
     * Copies values from {@code state} into this model's parameters and buffers (float dtypes converted).
     * Strict mode throws a {@link StateDictException} naming every missing, unexpected and mis-shaped key
     * before anything is copied; non-strict mode copies the matching keys and still rejects mis-shaped ones.
     *
     * @param source what the state came from (a file name), for messages
     */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict, String source) {
        Map<String, Param> mine = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((path, m) -> m.params.forEach((k, p) -> {
            if (seen.add(p.get())) {
                mine.put(path.isEmpty() ? k : path + "." + k, p);
            }
        }));
        List<String> missing = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (var e : mine.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(src.shape(), e.getValue().get().shape())) {
                misShaped.add(e.getKey() + " (expected " + Arrays.toString(e.getValue().get().shape())
                        + ", got " + Arrays.toString(src.shape()) + ")");
            }
        }
        List<String> unexpected = state.keySet().stream().filter(k -> !mine.containsKey(k)).toList();
        if (!misShaped.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new StateDictException(source, missing, unexpected, misShaped);
        }
        try (var g = Grad.disabled()) {
            for (var e : mine.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) {
                    e.getValue().get().copyFrom(src);
                }
            }
        }
    }

    /** {@link #loadStateDict(Map, boolean, String)} with source "(map)". */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
        loadStateDict(state, strict, "(map)");
    }

    // ------------------------------------------------------------------ mode

    /** Training mode for this subtree (dropout active). */
    public final Module train() {
        return train(true);
    }

    /** Evaluation mode for this subtree (dropout off). */
    public final Module eval() {
        return train(false);
    }

    public final Module train(boolean on) {
        for (Module m : namedModules().values()) {
            m.training = on;
        }
        return this;
    }

    public final boolean isTraining() {
        return training;
    }
}
