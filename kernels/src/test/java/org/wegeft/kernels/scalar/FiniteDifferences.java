package org.wegeft.kernels.scalar;

import java.util.function.ToDoubleFunction;
import org.wegeft.kernels.TestBuffers;

/** Central finite differences on float32 inputs, for checking analytic backward kernels. */
final class FiniteDifferences {

    private FiniteDifferences() {
    }

    /**
     * ∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / (x_i⁺ − x_i⁻), where x_i± are the float values actually
     * stored after perturbing (so float rounding of the step itself does not bias the quotient).
     */
    static float[] gradient(float[] x, double h, ToDoubleFunction<float[]> f) {
        float[] g = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float saved = x[i];
            float plus = (float) (saved + h);
            float minus = (float) (saved - h);
            x[i] = plus;
            double fPlus = f.applyAsDouble(x);
            x[i] = minus;
            double fMinus = f.applyAsDouble(x);
            x[i] = saved;
            g[i] = (float) ((fPlus - fMinus) / ((double) plus - minus));
        }
        return g;
    }

    /** Σ_i w_i · y_i in double: the scalar "loss" whose gradient w.r.t. y is w. */
    static double weightedSum(float[] w, float[] y) {
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += (double) w[i] * y[i];
        }
        return s;
    }

    /** Asserts an analytic gradient matches the numerical one within atol + rtol·|numerical|. */
    static void assertGradient(String what, float[] numerical, float[] analytic) {
        TestBuffers.assertClose(what + " (numerical vs analytic)", numerical, analytic, 3e-4, 5e-3);
    }
}
