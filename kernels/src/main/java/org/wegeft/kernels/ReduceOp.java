package org.wegeft.kernels;

/** Reductions for {@link KernelBackend#reduce}. */
public enum ReduceOp {
    SUM, MEAN, MAX, MIN
}
