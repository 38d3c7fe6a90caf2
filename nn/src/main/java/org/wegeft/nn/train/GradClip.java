package org.wegeft.nn.train;

import java.util.Collection;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/** Gradient-norm clipping, torch {@code nn.utils.clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {
    }

    /** The L2 norm of all gradients together (parameters without a gradient are skipped). */
    public static double gradNorm(Collection<Tensor> params) {
        double sumSq = 0;
        try (var g = Grad.disabled(); var scope = TensorScope.open()) {
            for (Tensor p : params) {
                Tensor gr = p.grad();
                if (gr != null) {
                    sumSq += gr.square().sum().item();
                }
            }
        }
        return Math.sqrt(sumSq);
    }

    /**
     * Scales every gradient by min(1, maxNorm / (total + 1e-6)) in place.
     * @return the total norm before clipping
     */
    public static double clipGradNorm(Collection<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0, got " + maxNorm);
        }
        double total = gradNorm(params);
        clipToNorm(params, maxNorm, total);
        return total;
    }

    /** Scales every gradient by min(1, maxNorm / (total + 1e-6)) in place, {@code total} being their norm. */
    public static void clipToNorm(Collection<Tensor> params, double maxNorm, double total) {
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1.0) {
            try (var g = Grad.disabled()) {
                for (Tensor p : params) {
                    Tensor gr = p.grad();
                    if (gr != null) {
                        gr.mulInPlace((float) coef);
                    }
                }
            }
        }
    }
}
