package org.wegeft.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A tensor made ready for a kernel (contiguous float32), closing the temporary copy, if one was made,
 * when done: {@code try (var x = Operand.f32(t)) { backend.foo(x.seg(), ...); }}.
 */
record Operand(Tensor t, boolean owned) implements AutoCloseable {

    /** t itself when it is contiguous float32, else a contiguous float32 copy. */
    static Operand f32(Tensor t) {
        if (t.dtype() == org.wegeft.kernels.DType.F32 && t.isContiguous()) {
            return new Operand(t, false);
        }
        return new Operand(Raw.contiguousAs(t, org.wegeft.kernels.DType.F32), true);
    }

    /** t itself when it is contiguous (any dtype), else a contiguous copy. */
    static Operand contiguous(Tensor t) {
        if (t.isContiguous()) {
            return new Operand(t, false);
        }
        return new Operand(Raw.contiguousAs(t, t.dtype()), true);
    }

    MemorySegment seg() {
        return t.seg();
    }

    @Override
    public void close() {
        if (owned) {
            t.close();
        }
    }
}
