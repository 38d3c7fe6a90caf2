package org.wegeft.kernels;

/** Elementwise unary functions; each has a derivative for {@link KernelBackend#unaryBackward}. */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, RSQRT, RECIPROCAL, SQUARE, TANH, SIGMOID, RELU,
    /** x·Φ(x) with the exact erf (torch {@code gelu(approximate='none')}). */
    GELU_ERF,
    /** tanh approximation (torch {@code gelu(approximate='tanh')}). */
    GELU_TANH,
    /** x·sigmoid(x). */
    SILU
}
