package org.wegeft.kernels.device;

/** A native call of a device backend failed; the message names the call, the library's status name and detail. */
public class DeviceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String errorName;

    public DeviceException(String call, String errorName, String detail) {
        super(call + " failed: " + errorName + (detail.isEmpty() ? "" : ": " + detail));
        this.call = call;
        this.errorName = errorName;
    }

    /** The native function that failed, e.g. {@code cuMemAlloc_v2} or {@code clBuildProgram}. */
    public String call() {
        return call;
    }

    /** The library's name for the status, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY} or {@code CL_OUT_OF_RESOURCES}. */
    public String errorName() {
        return errorName;
    }
}
