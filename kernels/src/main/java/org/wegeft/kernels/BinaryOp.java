package org.wegeft.kernels;

/** Elementwise binary functions for {@link KernelBackend#binary}. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN,
    /** a^b via {@link Math#pow}. */
    POW
}
