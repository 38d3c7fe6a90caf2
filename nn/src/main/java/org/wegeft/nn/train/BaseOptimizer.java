package org.wegeft.nn.train;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.wegeft.tensor.Tensor;

/** Groups, learning rate and lazily created per-parameter state shared by the optimizers. */
abstract class BaseOptimizer<S extends AutoCloseable> {
    private final List<ParamGroup> groups;
    private double lr;
    /** Per-parameter state by identity, in creation order. */
    final Map<Tensor, S> state = new IdentityHashMap<>();
    private final List<Tensor> order = new ArrayList<>();

    BaseOptimizer(List<ParamGroup> groups, double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.groups = List.copyOf(groups);
        this.lr = lr;
    }

    public final List<ParamGroup> groups() {
        return groups;
    }

    public final double learningRate() {
        return lr;
    }

    public final void setLearningRate(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        }
        this.lr = lr;
    }

    /** Calls {@code update(group, param)} for each parameter that requires grad and has a gradient. */
    final void forEachUpdatable(BiConsumer<ParamGroup, Tensor> update) {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                if (p.requiresGrad() && p.grad() != null) {
                    update.accept(g, p);
                }
            }
        }
    }

    /** The parameter's state, created by {@code create} on first use. */
    final S stateFor(Tensor p, java.util.function.Function<Tensor, S> create) {
        S s = state.get(p);
        if (s == null) {
            s = create.apply(p);
            state.put(p, s);
            order.add(p);
        }
        return s;
    }

    public final void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                p.setGrad(null);
            }
        }
    }

    /** Parameters with state, in creation order. */
    final List<Tensor> stateOrder() {
        return order;
    }

    /** Every group's parameters by name, for {@link Optimizer#loadState}; fails naming a parameter not in names. */
    static String nameOf(Map<Tensor, String> names, Tensor p) {
        String n = names.get(p);
        if (n == null) {
            throw new IllegalArgumentException("optimizer parameter " + p + " has no name in the map given");
        }
        return n;
    }

    final Map<String, Tensor> byName(Map<Tensor, String> names) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Tensor p : order) {
            out.put(nameOf(names, p), p);
        }
        return out;
    }

    public final void close() {
        for (S s : state.values()) {
            try {
                s.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing optimizer state", e);
            }
        }
        state.clear();
        order.clear();
    }

    static Tensor required(Map<String, Tensor> tensors, String key, Tensor like) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException("optimizer state: missing tensor '" + key + "'");
        }
        if (!java.util.Arrays.equals(t.shape(), like.shape())) {
            throw new IllegalArgumentException("optimizer state: '" + key + "' has shape "
                    + java.util.Arrays.toString(t.shape()) + ", parameter has " + java.util.Arrays.toString(like.shape()));
        }
        return t;
    }
}
