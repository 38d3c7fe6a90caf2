package org.wegeft.kernels.scalar;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** Reference AdamW step, in PyTorch's order, computed in double. */
final class ScalarOptim {

    private ScalarOptim() {
    }

    static void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n,
                      float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("adamw: step starts at 1, got " + step);
        }
        double bias1 = 1.0 - Math.pow(beta1, step);
        double bias2 = 1.0 - Math.pow(beta2, step);
        for (long i = 0; i < n; i++) {
            double p = param.getAtIndex(JAVA_FLOAT, i);
            double g = grad.getAtIndex(JAVA_FLOAT, i);
            p *= 1.0 - (double) lr * weightDecay;
            float mi = (float) (beta1 * (double) m.getAtIndex(JAVA_FLOAT, i) + (1.0 - beta1) * g);
            float vi = (float) (beta2 * (double) v.getAtIndex(JAVA_FLOAT, i) + (1.0 - beta2) * g * g);
            p -= lr * (mi / bias1) / (Math.sqrt(vi / bias2) + eps);
            m.setAtIndex(JAVA_FLOAT, i, mi);
            v.setAtIndex(JAVA_FLOAT, i, vi);
            param.setAtIndex(JAVA_FLOAT, i, (float) p);
        }
    }
}
