package org.wegeft.kernels;

/**
 * One (kernel, shape) check of the conformance suite: runs the kernel on the reference backend and on the
 * candidate with identical inputs and throws an {@link AssertionError} naming the output that differs.
 */
record ConformanceCase(String kernel, String shape, Check check) {

    /** The comparison itself; throws when the candidate disagrees with the reference. */
    @FunctionalInterface
    interface Check {
        void run(KernelBackend reference, KernelBackend candidate);
    }

    /** A kernel invocation: builds its inputs from a fixed seed (so every call sees the same data), returns outputs. */
    @FunctionalInterface
    interface Kernel {
        float[][] run(KernelBackend backend);
    }

    /** Compares every output elementwise within atol + rtol·|reference|. */
    static ConformanceCase close(String kernel, String shape, double atol, double rtol, String[] outputs, Kernel k) {
        return new ConformanceCase(kernel, shape, (ref, cand) -> {
            float[][] expected = k.run(ref);
            float[][] actual = k.run(cand);
            for (int i = 0; i < outputs.length; i++) {
                TestBuffers.assertClose(cand.name() + " " + kernel + " " + shape + " output " + outputs[i],
                        expected[i], actual[i], atol, rtol);
            }
        });
    }

    String displayName() {
        return kernel + " " + shape;
    }
}
