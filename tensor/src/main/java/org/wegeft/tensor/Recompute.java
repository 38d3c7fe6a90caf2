package org.wegeft.tensor;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The outputs a selective checkpoint keeps ({@link CheckpointOp} with a {@link CheckpointKeep} other than
 * NOTHING). While the checkpointed function runs forward, each participating op ({@link LinearOp},
 * {@link AttentionOp}, {@link PackedAttentionOp}) asks {@link #keeps}; the ops the policy names hand their outputs to {@link #record}. When
 * backward recomputes the function, the same ops in the same order find those outputs with {@link #replay} and
 * skip their kernel, recording their graph node as usual. The decision depends only on the op and its shapes, so
 * it is the same in both passes; a replay that meets a different shape fails instead of using a wrong tensor.
 * One context per thread at a time: a checkpoint inside a selective one is refused.
 */
final class Recompute {

    /** Forward (keeping outputs) or the recomputation in backward (using them). */
    enum Mode { RECORD, REPLAY }

    private static final ThreadLocal<@Nullable Recompute> CURRENT = new ThreadLocal<>();

    private final Mode mode;
    private final CheckpointKeep keep;
    private final List<Tensor[]> kept;
    private int next;

    private Recompute(Mode mode, CheckpointKeep keep, List<Tensor[]> kept) {
        this.mode = mode;
        this.keep = keep;
        this.kept = kept;
    }

    /** Runs body with a context of the given mode; {@code kept} is filled (RECORD) or consumed (REPLAY). */
    static <T> T with(Mode mode, CheckpointKeep keep, List<Tensor[]> kept, java.util.function.Supplier<T> body) {
        if (CURRENT.get() != null) {
            throw new IllegalStateException("a gradient checkpoint inside a selective checkpoint is not supported "
                    + "(the inner one would replay the outer one's kept outputs)");
        }
        Recompute r = new Recompute(mode, keep, kept);
        CURRENT.set(r);
        try {
            T out = body.get();
            if (mode == Mode.REPLAY && r.next != kept.size()) {
                throw new IllegalStateException("checkpointed function recomputed " + r.next + " of the "
                        + kept.size() + " outputs its forward kept: it must take the same path both times");
            }
            return out;
        } finally {
            CURRENT.remove();
        }
    }

    /** Whether a context is active and the policy keeps this op's output (same answer in forward and replay). */
    static boolean keeps(Op op, long inWidth, long outWidth) {
        Recompute r = CURRENT.get();
        if (r == null) {
            return false;
        }
        return switch (r.keep) {
            case NOTHING -> false;
            case ATTENTION_AND_DOWN_PROJECTIONS -> op == Op.ATTENTION || op == Op.LINEAR && 2 * outWidth <= inWidth;
        };
    }

    /** In a forward context: keeps private aliases of the op's outputs. */
    static void record(Tensor... outs) {
        Recompute r = CURRENT.get();
        if (r == null || r.mode != Mode.RECORD) {
            return;
        }
        Tensor[] aliases = new Tensor[outs.length];
        for (int i = 0; i < outs.length; i++) {
            aliases[i] = outs[i].internalAlias();
        }
        r.kept.add(aliases);
    }

    /**
     * In a replay context: the outputs the forward kept for this op, as new tensors the caller owns (checked
     * against the shapes the op is about to produce); null outside a replay.
     */
    static Tensor @Nullable [] replay(long[]... shapes) {
        Recompute r = CURRENT.get();
        if (r == null || r.mode != Mode.REPLAY) {
            return null;
        }
        if (r.next >= r.kept.size()) {
            throw new IllegalStateException("checkpointed function asks for more kept outputs in its recomputation ("
                    + (r.next + 1) + ") than its forward kept (" + r.kept.size() + ")");
        }
        Tensor[] k = r.kept.get(r.next++);
        if (k.length != shapes.length) {
            throw new IllegalStateException("checkpointed function took a different path in its recomputation");
        }
        Tensor[] out = new Tensor[k.length];
        for (int i = 0; i < k.length; i++) {
            if (!java.util.Arrays.equals(k[i].shapeRef(), shapes[i])) {
                throw new IllegalStateException("checkpointed function took a different path in its recomputation: "
                        + "kept output " + k[i] + " where " + Shapes.str(shapes[i]) + " is computed");
            }
            out[i] = k[i].viewOf(k[i].storageOffset(), k[i].shapeRef(), k[i].stridesRef());
        }
        return out;
    }

    /** Ops that can keep their outputs. */
    enum Op { LINEAR, ATTENTION }
}
