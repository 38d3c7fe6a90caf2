package org.wegeft.tensor;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One recorded operation of the autograd graph: its inputs, the tensors its backward needs (saved as
 * private views that keep their storage alive), and the backward itself. Each primitive op is one
 * subclass holding its forward ({@code static apply}) and its {@link #backward} side by side.
 */
abstract class Node {
    private final Tensor[] inputs;
    private final List<Tensor> saved = new ArrayList<>(2);
    private boolean released;
    /**
     * True while the engine runs this node's backward for the last time (no retainGraph): the saved tensors are
     * released right after, so backward may reuse an exclusively held one for its result.
     */
    boolean lastBackward;
    @Nullable TensorScope owner;

    Node(Tensor... inputs) {
        this.inputs = inputs;
        TensorScope.register(this);
    }

    final Tensor[] inputs() {
        return inputs;
    }

    /** Whether input i wants a gradient (a leaf with requiresGrad, or the result of a recorded op). */
    final boolean needsGrad(int i) {
        return inputs[i].requiresGrad();
    }

    /**
     * Keeps t's data alive for backward; returns the private view to use there. Under
     * {@link Grad#recomputingActivations()} the data of a cheap op's output may be freed after forward and computed
     * again when backward first reads the view.
     */
    final Tensor save(Tensor t) {
        Tensor v = t.savedAlias();
        saved.add(v);
        return v;
    }

    /**
     * Gradients for each input (same shape as that input; null where {@link #needsGrad} is false), given
     * the gradient of this node's output. The engine owns both {@code grad} and the returned tensors; a
     * returned tensor must not be {@code grad} itself (return a new view instead). Runs with recording
     * disabled.
     */
    abstract @Nullable Tensor[] backward(Tensor grad);

    final boolean isReleased() {
        return released;
    }

    /** Frees the saved tensors; the node cannot run backward afterwards. */
    final void release() {
        if (released) {
            return;
        }
        released = true;
        TensorScope.unregister(this);
        for (Tensor t : saved) {
            t.close();
        }
        saved.clear();
    }

    String name() {
        return getClass().getSimpleName();
    }

    /** Attaches a node to a freshly computed output when recording is on and some input needs grad. */
    static boolean shouldRecord(Tensor... inputs) {
        if (!Grad.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    static Tensor record(Tensor out, Node node) {
        out.gradFn = node;
        return out;
    }
}
