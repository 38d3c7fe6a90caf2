package org.wegeft.kernels.cuda;

/** A CUDA driver, NVRTC or cuBLAS call failed; the message names the call and the library's error name. */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String errorName;

    public CudaException(String call, String errorName, String detail) {
        super(call + " failed: " + errorName + (detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.errorName = errorName;
    }

    /** The native function that failed, e.g. {@code cuMemAlloc_v2}. */
    public String call() {
        return call;
    }

    /** The library's name for the status, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String errorName() {
        return errorName;
    }
}
