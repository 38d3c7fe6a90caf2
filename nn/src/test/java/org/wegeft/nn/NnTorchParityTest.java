package org.wegeft.nn;

import static org.wegeft.tensor.testing.TensorFixtures.assertRelClose;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.wegeft.nn.Fixtures.Fixture;
import org.wegeft.nn.train.AdamW;
import org.wegeft.nn.train.ParamGroup;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * nn modules, the loss and AdamW equal PyTorch 1.13 (fixtures from tools/fixtures/make_nn_fixtures.py):
 * max |ours − torch| ≤ 1e-4 · max |torch| per tensor.
 */
class NnTorchParityTest {
    private static final double TOL = 1e-4;

    @Test
    void adamwThreeStepsMatchTorchWithPerGroupDecay() {
        Fixture f = Fixtures.load("adamw");
        Tensor w = Tensor.zeros(4, 5).copyFrom(f.get("w0")).requiresGrad(true);
        Tensor b = Tensor.zeros(5).copyFrom(f.get("b0")).requiresGrad(true);
        try (AdamW opt = new AdamW(List.of(ParamGroup.of(List.of(w), f.meta("weight_decay")), ParamGroup.of(List.of(b), 0)),
                f.meta("lr"), f.meta("beta1"), f.meta("beta2"), f.meta("eps"))) {
            for (int s = 1; s <= 3; s++) {
                w.setGrad(Tensor.zeros(4, 5).copyFrom(f.get("grad_w_" + s)));
                b.setGrad(Tensor.zeros(5).copyFrom(f.get("grad_b_" + s)));
                opt.step();
                assertRelClose("w after step " + s, f.get("w_" + s), w, TOL);
                assertRelClose("b after step " + s, f.get("b_" + s), b, TOL);
            }
        }
    }

    @Test
    void crossEntropyWithIgnoreIndexAndSmoothingMatchesTorch() {
        Fixture f = Fixtures.load("cross_entropy_nn");
        try (var scope = TensorScope.open()) {
            Tensor logits = f.get("logits").requiresGrad(true);
            CrossEntropyLoss loss = new CrossEntropyLoss((int) f.meta("ignore_index"), f.meta("label_smoothing"));
            Tensor out = loss.apply(logits, f.get("targets"));
            out.backward(f.get("grad_out"));
            assertRelClose("loss", f.get("out"), out, TOL);
            assertRelClose("dlogits", f.get("grad_logits"), logits.grad(), TOL);
        }
    }

    @Test
    void layerNormModuleMatchesTorch() {
        Fixture f = Fixtures.load("layer_norm_module");
        LayerNorm ln = new LayerNorm(8, f.meta("eps"), true);
        ln.loadStateDict(java.util.Map.of("weight", f.get("weight"), "bias", f.get("bias")), true);
        checkNorm(f, ln, List.of("weight", "bias"));
    }

    @Test
    void rmsNormModuleMatchesTorch() {
        Fixture f = Fixtures.load("rms_norm_module");
        RMSNorm rms = new RMSNorm(8, f.meta("eps"));
        rms.loadStateDict(java.util.Map.of("weight", f.get("weight")), true);
        checkNorm(f, rms, List.of("weight"));
    }

    private static void checkNorm(Fixture f, Module m, List<String> params) {
        try (var scope = TensorScope.open()) {
            Tensor x = f.get("x").requiresGrad(true);
            Tensor out = ((Layer) m).forward(x);
            out.backward(f.get("grad_out"));
            assertRelClose("out", f.get("out"), out, TOL);
            assertRelClose("grad_x", f.get("grad_x"), x.grad(), TOL);
            for (String p : params) {
                assertRelClose("grad_" + p, f.get("grad_" + p), m.namedParameters().get(p).grad(), TOL);
            }
        }
        try (var g = Grad.disabled()) {
            m.namedParameters().values().forEach(t -> t.setGrad(null));
        }
    }
}
