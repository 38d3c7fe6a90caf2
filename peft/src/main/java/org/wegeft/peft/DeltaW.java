package org.wegeft.peft;

import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.kernels.DType;

/** The weight update of each method, in float32, without autograd. */
public final class DeltaW {
    private DeltaW() {
    }

    /**
     * WeGeFT: ΔW = s · (W phiᵀ) psi.
     * @param w   (d_out, d_in), any float dtype
     * @param phi (r, d_in)
     * @param psi (r, d_in)
     * @return (d_out, d_in) float32
     */
    public static Tensor wegeft(Tensor w, Tensor phi, Tensor psi, float scale) {
        try (var g = Grad.disabled(); Tensor w32 = w.to(DType.F32); Tensor wPhi = Functional.linear(w32, phi, null);
                Tensor prod = wPhi.matmul(psi)) { // wPhi: (d_out, r), prod: (d_out, d_in)
            return prod.mul(scale);
        }
    }

    /**
     * LoRA: ΔW = s · B A.
     * @param a (r, d_in)
     * @param b (d_out, r)
     * @return (d_out, d_in) float32
     */
    public static Tensor lora(Tensor a, Tensor b, float scale) {
        try (var g = Grad.disabled(); Tensor prod = b.matmul(a)) {
            return prod.mul(scale);
        }
    }
}
