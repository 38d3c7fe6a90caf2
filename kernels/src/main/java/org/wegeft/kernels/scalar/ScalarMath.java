package org.wegeft.kernels.scalar;

import org.wegeft.kernels.UnaryOp;

/** Double-precision definitions of every {@link UnaryOp} and its derivative, plus erf/erfc. */
final class ScalarMath {
    private static final double SQRT_2 = Math.sqrt(2.0);
    private static final double INV_SQRT_PI = 1.0 / Math.sqrt(Math.PI);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    private static final double GELU_TANH_C = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_TANH_K = 0.044715;

    private ScalarMath() {
    }

    /** op(x). */
    static double apply(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case RECIPROCAL -> 1.0 / x;
            case SQUARE -> x * x;
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> x > 0 ? x : 0.0;
            case GELU_ERF -> x * phi(x);
            case GELU_TANH -> 0.5 * x * (1.0 + Math.tanh(GELU_TANH_C * (x + GELU_TANH_K * x * x * x)));
            case SILU -> x * sigmoid(x);
        };
    }

    /** op'(x); at the kinks of ABS and RELU the derivative is 0, as in torch. */
    static double derivative(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -1.0;
            case ABS -> x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
            case EXP -> Math.exp(x);
            case LOG -> 1.0 / x;
            case SQRT -> 0.5 / Math.sqrt(x);
            case RSQRT -> -0.5 / (x * Math.sqrt(x));
            case RECIPROCAL -> -1.0 / (x * x);
            case SQUARE -> 2.0 * x;
            case TANH -> {
                double t = Math.tanh(x);
                yield 1.0 - t * t;
            }
            case SIGMOID -> {
                double s = sigmoid(x);
                yield s * (1.0 - s);
            }
            case RELU -> x > 0 ? 1.0 : 0.0;
            case GELU_ERF -> phi(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            case GELU_TANH -> {
                double u = GELU_TANH_C * (x + GELU_TANH_K * x * x * x);
                double t = Math.tanh(u);
                double du = GELU_TANH_C * (1.0 + 3.0 * GELU_TANH_K * x * x);
                yield 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du;
            }
            case SILU -> {
                double s = sigmoid(x);
                yield s * (1.0 + x * (1.0 - s));
            }
        };
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
    }

    /** Standard normal CDF Φ(x) = erfc(−x/√2)/2, accurate in the far left tail too. */
    static double phi(double x) {
        return 0.5 * erfc(-x / SQRT_2);
    }

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        double r = ax < 3.0 ? erfSeries(ax) : 1.0 - erfcContinuedFraction(ax);
        return Math.copySign(r, x);
    }

    static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x < 0) {
            return 2.0 - erfc(-x);
        }
        return x < 3.0 ? 1.0 - erfSeries(x) : erfcContinuedFraction(x);
    }

    /**
     * erf(x) = 2/√π · e^(−x²) · Σ_n 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) for x ≥ 0: every term is positive,
     * so nothing cancels.
     */
    private static double erfSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
            term *= 2.0 * x2 / (2 * n + 1);
            sum += term;
        }
        return 2.0 * INV_SQRT_PI * Math.exp(-x2) * sum;
    }

    /**
     * erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))) for x ≥ 3, evaluated
     * bottom-up from a fixed depth (converges fast for such x).
     */
    private static double erfcContinuedFraction(double x) {
        double f = x;
        for (int n = 80; n >= 1; n--) {
            f = x + (n / 2.0) / f;
        }
        return INV_SQRT_PI * Math.exp(-x * x) / f;
    }
}
