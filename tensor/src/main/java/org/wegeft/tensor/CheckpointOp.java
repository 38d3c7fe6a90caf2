package org.wegeft.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Gradient checkpointing (torch.utils.checkpoint, re-entrant form): the forward runs {@code fn} with recording
 * off, keeping only its input and constants; the backward reruns {@code fn} with recording on and backpropagates
 * the output gradient through that fresh graph. Leaf parameters captured by {@code fn} receive their gradients
 * from the inner backward (so this node returns none for them); they are inputs of the node only so that the
 * output requires grad when they do.
 *
 * <pre>
 *   forward:   x ──[no grad] fn(x, constants) ──▶ y              (nothing inside fn is kept)
 *   backward:  x.detach() ──[grad] fn ──▶ y' ── backward(dy) ──▶ dx, and d(params) accumulated in place
 * </pre>
 * With a {@link CheckpointKeep} policy other than NOTHING the forward also keeps the outputs of the ops the policy
 * names, and the recomputation takes them instead of running those kernels again ({@link Recompute}).
 */
final class CheckpointOp extends Node {
    private final BiFunction<Tensor, List<Tensor>, Tensor> fn;
    private final Tensor x;
    private final List<Tensor> constants;
    private final CheckpointKeep keep;
    /** Outputs of the ops the policy keeps, in the order the forward produced them. */
    private final List<Tensor[]> keptOutputs;

    private CheckpointOp(Tensor[] inputs, BiFunction<Tensor, List<Tensor>, Tensor> fn, Tensor x,
            List<Tensor> constants, CheckpointKeep keep, List<Tensor[]> keptOutputs) {
        super(inputs);
        this.fn = fn;
        this.x = save(x);
        List<Tensor> kept = new ArrayList<>(constants.size());
        for (Tensor c : constants) {
            kept.add(save(c));
        }
        this.constants = List.copyOf(kept);
        this.keep = keep;
        List<Tensor[]> outs = new ArrayList<>(keptOutputs.size());
        for (Tensor[] op : keptOutputs) {
            Tensor[] s = new Tensor[op.length];
            for (int i = 0; i < op.length; i++) {
                s[i] = save(op[i]);
            }
            outs.add(s);
        }
        this.keptOutputs = List.copyOf(outs);
    }

    static Tensor apply(BiFunction<Tensor, List<Tensor>, Tensor> fn, Tensor x, List<Tensor> constants,
            List<Tensor> params) {
        return apply(fn, x, constants, params, CheckpointKeep.NOTHING);
    }

    static Tensor apply(BiFunction<Tensor, List<Tensor>, Tensor> fn, Tensor x, List<Tensor> constants,
            List<Tensor> params, CheckpointKeep keep) {
        Tensor[] inputs = new Tensor[1 + params.size()];
        inputs[0] = x;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (!p.isLeaf()) {
                throw new IllegalArgumentException("checkpoint: parameter " + i + " (" + p
                        + ") is not a leaf; only leaves may be captured by a checkpointed function");
            }
            inputs[1 + i] = p;
        }
        if (!Node.shouldRecord(inputs)) {
            return fn.apply(x, constants);
        }
        if (x.dtype() != org.wegeft.kernels.DType.F32) {
            throw new IllegalArgumentException("checkpoint needs an F32 input, got " + x);
        }
        Tensor y;
        List<Tensor[]> kept = new ArrayList<>();
        try {
            try (Grad.Mode off = Grad.disabled()) {
                y = keep == CheckpointKeep.NOTHING ? fn.apply(x, constants)
                        : Recompute.with(Recompute.Mode.RECORD, keep, kept, () -> fn.apply(x, constants));
            }
            return Node.record(y, new CheckpointOp(inputs, fn, x, constants, keep, kept));
        } finally {
            closeAll(kept);                                   // the node holds its own aliases
        }
    }

    private static void closeAll(List<Tensor[]> outs) {
        for (Tensor[] op : outs) {
            for (Tensor t : op) {
                t.close();
            }
        }
    }

    @Override
    @Nullable Tensor[] backward(Tensor g) {
        Tensor[] grads = new Tensor[inputs().length];
        try (Tensor xin = x.detach()) {
            xin.requiresGrad(needsGrad(0));
            Tensor y;
            try (Grad.Mode on = Grad.enabled()) {
                y = keep == CheckpointKeep.NOTHING ? fn.apply(xin, constants)
                        : Recompute.with(Recompute.Mode.REPLAY, keep, keptOutputs, () -> fn.apply(xin, constants));
            }
            try (y) {
                if (y.requiresGrad()) {
                    Autograd.backward(y, g, false);           // params accumulate in place; x's into xin.grad
                }
            }
            Tensor gx = xin.grad();
            if (needsGrad(0) && gx != null) {
                grads[0] = gx.viewOf(gx.storageOffset(), gx.shapeRef(), gx.stridesRef());
            }
        }
        return grads;
    }
}
