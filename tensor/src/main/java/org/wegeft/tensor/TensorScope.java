package org.wegeft.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Deterministic release of intermediate tensors: every tensor created on this thread while the scope is
 * the innermost open one is closed when the scope closes, unless it was {@link #keep kept}. Autograd
 * graphs recorded inside the scope are released with it, except the graphs behind kept tensors.
 *
 * <pre>{@code
 * try (var s = TensorScope.open()) {
 *     Tensor loss = model.forward(x).square().mean();
 *     loss.backward();
 *     s.keep(loss);   // survives; everything else is returned to the pool now
 * }
 * }</pre>
 *
 * Scopes nest; a kept tensor moves to the enclosing scope (or becomes unmanaged at the outermost one).
 * Leaf gradients ({@link Tensor#grad()}) are never owned by a scope.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<TensorScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Set<Tensor> tensors = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Node> nodes = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private TensorScope() {
    }

    /** Opens a scope on the current thread. */
    public static TensorScope open() {
        TensorScope s = new TensorScope();
        STACK.get().push(s);
        return s;
    }

    /**
     * Runs {@code body} in a scope of its own and keeps only its result: every other tensor it creates is released
     * when it returns, and the result (with the autograd graph behind it) joins the caller's scope. A model's forward
     * can then read like the math, {@code x.add(attn.call(norm1.call(x)))}, without naming temporaries to close them.
     */
    public static Tensor call(Supplier<Tensor> body) {
        try (TensorScope s = open()) {
            return s.keep(body.get());
        }
    }

    /** Keeps {@code t} (and the autograd graph behind it) alive past this scope; returns t. */
    public Tensor keep(Tensor t) {
        TensorScope parent = parent();
        if (t.owner == this) {
            tensors.remove(t);
            t.owner = parent;
            if (parent != null) {
                parent.tensors.add(t);
            }
        }
        Node fn = t.gradFn;
        if (fn != null) {
            moveGraph(fn, parent);
        }
        return t;
    }

    /** Number of open tensors this scope will close. */
    public int size() {
        int n = 0;
        for (Tensor t : tensors) {
            if (!t.isClosed()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("TensorScope closed on thread " + Thread.currentThread().getName()
                    + " but opened on " + thread.getName());
        }
        closed = true;
        ArrayDeque<TensorScope> stack = STACK.get();
        // close any inner scopes left open, then this one
        while (!stack.isEmpty()) {
            TensorScope top = stack.pop();
            if (top == this) {
                break;
            }
            top.close();
        }
        for (Node n : nodes) {
            n.owner = null;
            n.release();
        }
        nodes.clear();
        List<Tensor> toClose = new ArrayList<>(tensors);
        tensors.clear();
        for (Tensor t : toClose) {
            t.owner = null;
            t.close();
        }
    }

    private TensorScope parent() {
        boolean seen = false;
        for (TensorScope s : STACK.get()) {
            if (seen) {
                return s;
            }
            seen = s == this;
        }
        return null;
    }

    private void moveGraph(Node root, TensorScope parent) {
        ArrayDeque<Node> work = new ArrayDeque<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        work.push(root);
        while (!work.isEmpty()) {
            Node n = work.pop();
            if (!seen.add(n)) {
                continue;
            }
            if (n.owner == this) {
                nodes.remove(n);
                n.owner = parent;
                if (parent != null) {
                    parent.nodes.add(n);
                }
            }
            for (Tensor in : n.inputs()) {
                if (in.gradFn != null) {
                    work.push(in.gradFn);
                }
            }
        }
    }

    static void register(Tensor t) {
        TensorScope s = STACK.get().peek();
        if (s != null) {
            s.tensors.add(t);
            t.owner = s;
        }
    }

    static void register(Node n) {
        TensorScope s = STACK.get().peek();
        if (s != null) {
            s.nodes.add(n);
            n.owner = s;
        }
    }

    /** Removes t from whatever scope owns it (leaf gradients, tensors handed to long-lived owners). */
    static void unregister(Tensor t) {
        TensorScope s = t.owner;
        if (s != null) {
            s.tensors.remove(t);
            t.owner = null;
        }
    }

    static void unregister(Node n) {
        TensorScope s = n.owner;
        if (s != null) {
            s.nodes.remove(n);
            n.owner = null;
        }
    }
}
