package org.wegeft.tensor;

import java.util.Arrays;
import org.wegeft.kernels.BinaryOp;
import org.wegeft.kernels.DType;

/** In-place updates outside autograd (initialisation, loading, merging adapters, optimizers). */
final class InPlace {
    private InPlace() {
    }

    private static void checkTarget(Tensor t, String what) {
        if (t.requiresGrad() && Grad.isEnabled()) {
            throw new IllegalStateException(what + " on " + t + ", which requires grad, while recording; wrap it in"
                    + " try (var g = Grad.disabled()) { ... }");
        }
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(what + " needs a contiguous target, got " + t + " with strides "
                    + Shapes.str(t.stridesRef()));
        }
    }

    static void copy(Tensor dst, Tensor src) {
        checkTarget(dst, "copyFrom");
        if (!Arrays.equals(dst.shapeRef(), src.shapeRef())) {
            throw new ShapeMismatchException("copyFrom: source " + src + " does not match target " + dst);
        }
        if (dst.storage().device() != src.storage().device()) {
            copyAcross(dst, src);
            return;
        }
        if (dst.dtype() == src.dtype() && (src.dtype() == DType.F32 || src.dtype() == DType.I32)) {
            Raw.be().copyStrided(Shapes.toInt(src.shapeRef(), "copyFrom"), src.seg(), src.stridesRef(), dst.seg());
            return;
        }
        try (Operand s = Operand.contiguous(src)) {
            Raw.be().convert(src.dtype(), s.seg(), dst.dtype(), dst.seg(), dst.numel());
        }
    }

    /** Host ↔ device: a plain byte copy between contiguous tensors of one dtype (how data moves to a device). */
    private static void copyAcross(Tensor dst, Tensor src) {
        if (dst.dtype() != src.dtype() || !src.isContiguous()) {
            throw new UnsupportedOperationException("copyFrom between " + src.storage().where() + " and "
                    + dst.storage().where() + " needs a contiguous source of the target's dtype, got " + src
                    + " into " + dst);
        }
        long bytes = dst.numel() * dst.dtype().byteSize();
        if (src.storage().isHostMemory()) {
            dst.writeFrom(src.storage().memory().asSlice(src.storageOffset() * src.dtype().byteSize(), bytes));
        } else if (dst.storage().isHostMemory()) {
            src.readInto(dst.storage().memory().asSlice(dst.storageOffset() * dst.dtype().byteSize(), bytes));
        } else {
            throw new UnsupportedOperationException("copyFrom between two device backends (" + src.storage().where()
                    + " into " + dst.storage().where() + ") is not supported; copy through host memory");
        }
    }

    static void fill(Tensor t, float value) {
        checkTarget(t, "fillInPlace");
        requireF32(t, "fillInPlace");
        Raw.be().fill(t.seg(), t.numel(), value);
    }

    static void add(Tensor t, Tensor other, float alpha) {
        checkTarget(t, "addInPlace");
        requireF32(t, "addInPlace");
        if (alpha == 1f) {
            Raw.binaryInto(BinaryOp.ADD, t, other);
        } else {
            try (Tensor scaled = Raw.affine(other, alpha, 0f)) {
                Raw.binaryInto(BinaryOp.ADD, t, scaled);
            }
        }
    }

    static void scale(Tensor t, float c) {
        checkTarget(t, "mulInPlace");
        requireF32(t, "mulInPlace");
        Raw.be().affine(t.seg(), t.seg(), t.numel(), c, 0f);
    }

    private static void requireF32(Tensor t, String what) {
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(what + " needs an F32 tensor, got " + t);
        }
    }
}
