package org.wegeft.llm;

import java.util.Arrays;
import java.util.List;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/** The gated feed-forward activations a decoder's {@code hidden_act} names: {@code act(gate) · up}. */
enum Activation {
    /** SwiGLU (LLaMA, Mistral, Qwen, Phi-3). */
    SILU("silu"),
    /** GeGLU with tanh-approximated GELU (Gemma). */
    GELU_PYTORCH_TANH("gelu_pytorch_tanh");

    /** The names config.json may give. */
    static final List<String> NAMES = Arrays.stream(values()).map(a -> a.hfName).toList();

    private final String hfName;

    Activation(String hfName) {
        this.hfName = hfName;
    }

    /** The name config.json gives. */
    String hfName() {
        return hfName;
    }

    static Activation of(String name) {
        for (Activation a : values()) {
            if (a.hfName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation " + name);
    }

    // gate, up: (…, I) → act(gate) · up (…, I)
    Tensor gated(Tensor gate, Tensor up) {
        if (this == SILU) {
            return Functional.siluMul(gate, up);   // one op: keeps gate and up for backward, not silu(gate) too
        }
        return TensorScope.call(() -> Functional.gelu(gate, true).mul(up));
    }
}
