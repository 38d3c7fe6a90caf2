package org.wegeft.tensor;

import java.util.Arrays;
import org.wegeft.kernels.DType;

/**
 * In-place optimizer primitives for {@code org.wegeft.nn.train}: the fused AdamW kernel and the allocation of
 * optimizer state that outlives every {@link TensorScope}. No autograd; the parameter is updated in place.
 */
public final class TensorOptim {
    private TensorOptim() {
    }

    /**
     * A zero F32 tensor shaped like {@code like}, owned by no {@link TensorScope} (optimizer state such as
     * AdamW's m and v lives across steps; the caller closes it).
     */
    public static Tensor stateLike(Tensor like) {
        Tensor t = Tensor.zeros(DType.F32, like.shapeRef());
        TensorScope.unregister(t);
        return t;
    }

    /**
     * One AdamW step in PyTorch's order (decoupled decay, bias correction; {@code step} starts at 1):
     * p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
     * p ← p − lr·(m/(1−β1^step)) / (√(v/(1−β2^step)) + eps).
     * param, m and v must be contiguous F32 of one shape; grad any F32 layout of that shape.
     */
    public static void adamwStep(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2,
                                 float eps, float weightDecay, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("adamwStep: step must start at 1, got " + step);
        }
        checkState(param, "param", param);
        checkState(param, "m", m);
        checkState(param, "v", v);
        if (!Arrays.equals(grad.shapeRef(), param.shapeRef())) {
            throw new ShapeMismatchException("adamwStep: grad " + grad + " does not match param " + param);
        }
        try (Operand g = Operand.f32(grad)) {
            Raw.be().adamw(param.seg(), g.seg(), m.seg(), v.seg(), param.numel(), lr, beta1, beta2, eps,
                    weightDecay, step);
        }
    }

    private static void checkState(Tensor param, String what, Tensor t) {
        if (t.dtype() != DType.F32 || !t.isContiguous()) {
            throw new IllegalArgumentException("adamwStep: " + what + " must be contiguous F32, got " + t);
        }
        if (!Arrays.equals(t.shapeRef(), param.shapeRef())) {
            throw new ShapeMismatchException("adamwStep: " + what + " " + t + " does not match param " + param);
        }
    }
}
