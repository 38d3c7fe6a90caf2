package org.wegeft.kernels;

/** Element types of tensor storage. Compute is float32; BF16/F16 are storage formats. */
public enum DType {
    F32(4, "F32"), BF16(2, "BF16"), F16(2, "F16"), I32(4, "I32");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The dtype string used in safetensors headers. */
    public String safetensorsName() {
        return safetensorsName;
    }

    public boolean isFloating() {
        return this != I32;
    }
}
