package org.wegeft.peft;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.nn.Linear;
import org.wegeft.peft.lora.LoraLinear;
import org.wegeft.peft.wegeft.WeGeFTLinear;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/** Parity with PyTorch 1.13 through fixtures written by tools/fixtures/make_peft_fixtures.py (≤ 1e-4 relative). */
class PeftTorchParityTest {
    private static final double TOL = 1e-4;

    private static Map<String, Tensor> load(String name) {
        return TensorFixtures.tensors(TensorFixtures.path(PeftTorchParityTest.class, name + ".safetensors",
                "/usr/bin/python3 tools/fixtures/make_peft_fixtures.py"));
    }

    private static Linear linear(Tensor w, Tensor b) {
        Linear l = new Linear((int) w.size(1), (int) w.size(0), true, new Random(0));
        try (var g = Grad.disabled()) {
            l.weight().copyFrom(w);
            l.bias().copyFrom(b);
        }
        l.requiresGrad(false);
        return l;
    }

    @ParameterizedTest(name = "{0} form")
    @ValueSource(strings = {"gen", "rep"})
    void wegeftTiedOverThreeLayersMatchesPyTorch(String form) throws Exception {
        Map<String, Tensor> t = load("wegeft_tied3");
        int r = (int) t.get("phi").size(0);
        float scale = 6f / r; // alpha = 6 (see the script)
        AdapterWeight phi = new AdapterWeight(Tensor.zeros(t.get("phi").shape()).copyFrom(t.get("phi")));
        AdapterWeight psi = new AdapterWeight(Tensor.zeros(t.get("psi").shape()).copyFrom(t.get("psi")));
        Tensor x = t.get("x").requiresGrad(true);
        Tensor loss = Tensor.scalar(0f);
        for (int i = 0; i < 3; i++) {
            WeGeFTLinear l = new WeGeFTLinear(linear(t.get("w" + i), t.get("b" + i)), phi, psi, scale, 0f,
                    new Random(1));
            Tensor y = form.equals("gen") ? l.forwardGenerator(x) : l.forwardRepresentation(x);
            // both stored forms are checked against each Java form: torch proved them equal
            Approx.assertClose(t.get("gen_out" + i), y, TOL, form + " out" + i);
            Approx.assertClose(t.get("rep_out" + i), y, TOL, form + " out" + i + " vs torch rep");
            loss = loss.add(y.mul(t.get("grad_out" + i)).sum());
        }
        loss.backward();
        assertNotNull(phi.weight().grad());
        for (String src : new String[] {"gen", "rep"}) {
            Approx.assertClose(t.get(src + "_grad_phi"), phi.weight().grad(), TOL, form + " grad phi vs torch " + src);
            Approx.assertClose(t.get(src + "_grad_psi"), psi.weight().grad(), TOL, form + " grad psi vs torch " + src);
            Approx.assertClose(t.get(src + "_grad_x"), x.grad(), TOL, form + " grad x vs torch " + src);
        }
    }

    @Test
    void loraLinearMatchesPyTorch() throws Exception {
        Map<String, Tensor> t = load("lora");
        int r = (int) t.get("lora_A").size(0);
        LoraLinear l = new LoraLinear(linear(t.get("w"), t.get("b")), r, 5f / r, 0f, new Random(1));
        try (var g = Grad.disabled()) {
            l.loraA().weight().copyFrom(t.get("lora_A"));
            l.loraB().weight().copyFrom(t.get("lora_B"));
        }
        Tensor x = t.get("x").requiresGrad(true);
        Tensor y = l.forward(x);
        y.backward(t.get("grad_out"));
        Approx.assertClose(t.get("out"), y, TOL, "out");
        Approx.assertClose(t.get("grad_lora_A"), l.loraA().weight().grad(), TOL, "grad lora_A");
        Approx.assertClose(t.get("grad_lora_B"), l.loraB().weight().grad(), TOL, "grad lora_B");
        Approx.assertClose(t.get("grad_x"), x.grad(), TOL, "grad x");
    }
}
