package org.wegeft.kernels.cuda;

import org.wegeft.kernels.device.DeviceException;

/** A CUDA driver, NVRTC or cuBLAS call failed; the message names the call and the library's error name. */
public final class CudaException extends DeviceException {
    private static final long serialVersionUID = 1L;

    public CudaException(String call, String errorName, String detail) {
        super(call, errorName, detail);
    }
}
