package org.wegeft.peft.wegeft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.wegeft.nn.Linear;
import org.wegeft.peft.AdapterWeight;
import org.wegeft.peft.Approx;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

class WeGeFTLinearTest {
    private static WeGeFTLinear layer(int dIn, int dOut, int r, float alpha, float dropout, long seed) {
        Random rng = new Random(seed);
        Linear base = new Linear(dIn, dOut, true, rng);
        base.requiresGrad(false);
        AdapterWeight[] pair = WeGeFTLinear.newPair(r, dIn, rng);
        try (var g = Grad.disabled(); Tensor rnd = Tensor.randn(rng, r, dIn)) {
            pair[0].weight().copyFrom(rnd); // a non-trivial phi
        }
        return new WeGeFTLinear(base, pair[0], pair[1], alpha / r, dropout, rng);
    }

    private record Run(Tensor y, Tensor gPhi, Tensor gPsi, Tensor gX) {
    }

    private static Run run(WeGeFTLinear l, boolean generator, long seed) {
        Tensor x = Tensor.randn(seed, 2, 3, l.baseLayer().inFeatures()).requiresGrad(true);
        Tensor y = generator ? l.forwardGenerator(x) : l.forwardRepresentation(x);
        try (Tensor go = Tensor.randn(seed + 1, y.shape())) {
            y.backward(go);
        }
        Tensor gPhi = l.phi().weight().grad().detach();
        Tensor gPsi = l.psi().weight().grad().detach();
        l.phi().weight().setGrad(null);
        l.psi().weight().setGrad(null);
        return new Run(y.detach(), gPhi, gPsi, x.grad().detach());
    }

    @ParameterizedTest(name = "d_in={0} d_out={1} r={2} alpha={3}")
    @CsvSource({"8,5,2,4", "16,16,4,6", "7,13,3,3", "32,8,16,16"})
    void generatorFormEqualsRepresentationForm(int dIn, int dOut, int r, float alpha) {
        WeGeFTLinear l = layer(dIn, dOut, r, alpha, 0f, 42);
        Run gen = run(l, true, 7);
        Run rep = run(l, false, 7);
        Approx.assertClose(gen.y(), rep.y(), 1e-5, "output");
        Approx.assertClose(gen.gPhi(), rep.gPhi(), 1e-5, "grad phi");
        Approx.assertClose(gen.gPsi(), rep.gPsi(), 1e-5, "grad psi");
        Approx.assertClose(gen.gX(), rep.gX(), 1e-5, "grad x");
        assertNull(l.baseLayer().weight().grad(), "the frozen W gets no gradient");
    }

    @Test
    void dropoutInTrainingUsesTheGeneratorFormAndDiffersFromEval() {
        WeGeFTLinear l = layer(16, 12, 4, 8, 0.5f, 3);
        assertFalse(l.usesRepresentationForm());
        try (var g = Grad.disabled(); Tensor x = Tensor.randn(5, 4, 16); Tensor train = l.forward(x)) {
            l.eval();
            assertTrue(l.usesRepresentationForm());
            try (Tensor eval = l.forward(x); Tensor evalGen = l.forwardGenerator(x)) {
                Approx.assertClose(eval, evalGen, 1e-5, "eval: both forms");
                double diff = Approx.maxRelError(eval.toFloatArray(), train.toFloatArray());
                assertTrue(diff > 1e-3, "train-mode dropout on W changes the output, diff " + diff);
            }
        }
    }
}
