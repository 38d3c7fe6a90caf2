package org.wegeft.kernels;

/** How a {@link QuantizedWeight} stores its elements. */
public enum QuantFormat {
    /**
     * bitsandbytes' NormalFloat4: 4-bit indices into a 16-entry code table, two per byte with the first element in the
     * high nibble, scaled by one float32 absmax per block of consecutive elements (row-major order).
     */
    NF4,
    /** bitsandbytes' LLM.int8() weight: one signed byte per element, scaled by the absmax of its row over 127. */
    INT8
}
