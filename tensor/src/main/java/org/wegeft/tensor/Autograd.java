package org.wegeft.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;

/** The reverse-mode engine: topological order, gradient routing and accumulation, graph release. */
final class Autograd {
    /** Backward calls running on this thread: a checkpoint's recomputation runs one inside another. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {
    }

    static void backward(Tensor root, Tensor gradOutput, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward on " + root + ", which does not require grad"
                    + " (no input of the computation has requiresGrad, or it ran inside Grad.disabled())");
        }
        if (!Arrays.equals(root.shapeRef(), gradOutput.shapeRef())) {
            throw new ShapeMismatchException("backward: gradient shape " + Shapes.str(gradOutput.shapeRef())
                    + " differs from output shape " + Shapes.str(root.shapeRef()));
        }
        int[] depth = DEPTH.get();
        boolean outermost = depth[0] == 0;
        depth[0]++;
        try (Grad.Mode off = Grad.disabled()) {
            Tensor seed = gradOutput.viewOf(gradOutput.storageOffset(), gradOutput.shapeRef(),
                    gradOutput.stridesRef());
            Node rootFn = root.gradFn;
            if (rootFn == null) {
                accumulateLeaf(root, seed);
                if (outermost) {
                    fireReady(root);
                }
                return;
            }
            List<Node> order = topologicalOrder(rootFn);
            Map<Tensor, int[]> uses = outermost ? hookedLeafUses(order) : Map.of();
            Map<Node, Tensor> pending = new IdentityHashMap<>();
            pending.put(rootFn, seed);
            try {
                for (Node node : order) {
                    Tensor g = pending.remove(node);
                    if (g == null) {
                        done(node, uses);
                        continue;
                    }
                    Tensor[] grads;
                    node.lastBackward = !retainGraph;
                    try {
                        grads = node.backward(g);
                    } finally {
                        g.close();
                        if (!retainGraph) {
                            // as PyTorch frees saved tensors: each node's activations go as soon as its own
                            // backward has run, so backward's peak is not every activation plus every gradient
                            node.release();
                        }
                    }
                    Tensor[] inputs = node.inputs();
                    for (int i = 0; i < inputs.length; i++) {
                        Tensor gi = grads[i];
                        if (gi == null) {
                            continue;
                        }
                        Tensor in = inputs[i];
                        if (!in.requiresGrad()) {
                            gi.close();
                            continue;
                        }
                        if (!Arrays.equals(gi.shapeRef(), in.shapeRef())) {
                            throw new IllegalStateException(node.name() + " backward returned a gradient of shape "
                                    + Shapes.str(gi.shapeRef()) + " for input " + i + " of shape "
                                    + Shapes.str(in.shapeRef()));
                        }
                        Node fn = in.gradFn;
                        if (fn == null) {
                            accumulateLeaf(in, gi);
                        } else {
                            Tensor prev = pending.get(fn);
                            if (prev == null) {
                                pending.put(fn, gi);
                            } else if (prev.isExclusive()) {
                                // a second gradient for the same node (both checked against its one output's
                                // shape above): add it into the first, which the engine alone holds, instead of
                                // into a third tensor (same sum, one allocation less)
                                try (gi) {
                                    Raw.binaryInto(BinaryOp.ADD, prev, gi);
                                }
                            } else {
                                pending.put(fn, Raw.binary(BinaryOp.ADD, prev, gi));
                                prev.close();
                                gi.close();
                            }
                        }
                    }
                    done(node, uses);
                }
            } finally {
                for (Tensor t : pending.values()) {
                    t.close();
                }
                if (!retainGraph) {
                    for (Node n : order) {
                        n.release();
                    }
                }
            }
        } finally {
            depth[0]--;
        }
    }

    /** For each leaf with a ready hook: how many input slots of the graph's nodes route gradient to it. */
    private static Map<Tensor, int[]> hookedLeafUses(List<Node> order) {
        Map<Tensor, int[]> uses = new IdentityHashMap<>();
        for (Node n : order) {
            for (Tensor in : n.inputs()) {
                if (in.gradFn == null && in.gradReadyHook != null && in.requiresGrad()) {
                    uses.computeIfAbsent(in, t -> new int[1])[0]++;
                }
            }
        }
        return uses;
    }

    /** After {@code node}'s backward (or its skipping): fires the hook of each leaf it was the last user of. */
    private static void done(Node node, Map<Tensor, int[]> uses) {
        if (uses.isEmpty()) {
            return;
        }
        for (Tensor in : node.inputs()) {
            int[] left = uses.get(in);
            if (left != null && --left[0] == 0) {
                fireReady(in);
            }
        }
    }

    private static void fireReady(Tensor leaf) {
        var hook = leaf.gradReadyHook;
        if (hook != null && leaf.grad() != null) {
            hook.accept(leaf);
        }
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Tensor cur = leaf.grad();
        if (cur == null) {
            Tensor own = g;
            if (!g.isExclusive()) {
                own = Raw.contiguousAs(g, DType.F32);
                g.close();
            }
            TensorScope.unregister(own);
            leaf.setLeafGrad(own);
        } else {
            try (g) {
                Raw.binaryInto(BinaryOp.ADD, cur, g);
            }
        }
    }

    /** Nodes reachable from root, each after every node that feeds gradient into it. */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> post = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node n = (Node) frame[0];
            if (n.isReleased()) {
                throw new IllegalStateException("backward through " + n.name() + ", whose saved tensors were"
                        + " already released; pass retainGraph=true to the earlier backward");
            }
            int i = (int) frame[1];
            Tensor[] in = n.inputs();
            if (i < in.length) {
                frame[1] = i + 1;
                Node child = in[i].gradFn;
                if (child != null && seen.add(child)) {
                    stack.push(new Object[] {child, 0});
                }
            } else {
                stack.pop();
                post.add(n);
            }
        }
        Collections.reverse(post);
        return post;
    }
}
