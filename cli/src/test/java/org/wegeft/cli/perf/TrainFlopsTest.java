package org.wegeft.cli.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;

/** The analytic step FLOPs against counts written out by hand from the formulas in TrainFlops' javadoc. */
class TrainFlopsTest {
    // a tiny ViT: 32 px, patch 16 → 4 patches + class token = 5 tokens; width 8, depth 2, 10 classes, batch 3
    private static final int B = 3;
    private static final int P = 4;
    private static final int T = 5;
    private static final int W = 8;
    private static final int DEPTH = 2;
    private static final int C = 10;
    private static final int R = 2;

    private static double lin(double tokens, double in, double out) {
        return 2 * tokens * in * out;
    }

    /** Forward of the frozen model: patch embedding, per block qkv + attention + proj + fc1 + fc2, head. */
    private static double baseForward() {
        double tokens = B * T;
        double block = lin(tokens, W, 3 * W) + 2 * 2 * B * T * T * W + lin(tokens, W, W) + lin(tokens, W, 4 * W)
                + lin(tokens, 4 * W, W);
        return lin(B * P, 3 * 16 * 16, W) + DEPTH * block + lin(B, W, C);
    }

    private static TrainFlops vit(FineTuningMethod m) {
        return TrainFlops.vit(m, R, B, 32, 16, W, DEPTH, C);
    }

    @Test
    void fullFineTuningDoublesEveryProductBackwardButThePatchEmbeddingsInputGradient() {
        TrainFlops f = vit(FineTuningMethods.named("full"));
        assertEquals(baseForward(), f.forward(), 1e-6);
        assertEquals(2 * baseForward() - lin(B * P, 3 * 16 * 16, W), f.backward(), 1e-6);
    }

    @Test
    void linearProbeBackpropagatesIntoTheHeadWeightOnly() {
        TrainFlops f = vit(FineTuningMethods.named("probe"));
        assertEquals(baseForward(), f.forward(), 1e-6);
        assertEquals(lin(B, W, C), f.backward(), 1e-6);
    }

    @Test
    void wegeftAddsItsEditAndNeedsEveryInputGradientAfterTheFirstEdit() {
        TrainFlops f = vit(FineTuningMethods.named("wegeft"));
        double tokens = B * T;
        double edits = 0;
        double editsBackward = 0;
        for (double dIn : new double[] {W, W, W, 4 * W}) {      // qkv, proj, fc1, fc2 inputs
            double p = 2 * tokens * R * dIn;
            edits += 2 * p;
            editsBackward += 4 * p;                              // dphi, du, dpsi, dx
        }
        // block 0's qkv edit has an input without a gradient: no dx there
        double firstDx = 2 * tokens * R * W;
        assertEquals(baseForward() + DEPTH * edits, f.forward(), 1e-6);
        double attention = 2 * 2 * B * T * T * W;
        double dX = lin(tokens, W, 3 * W) + lin(tokens, W, W) + lin(tokens, W, 4 * W) + lin(tokens, 4 * W, W);
        double head = 2 * lin(B, W, C);                           // dW and dX of the head
        assertEquals(DEPTH * (dX + 2 * attention + editsBackward) - firstDx + head, f.backward(), 1e-6);
    }

    @Test
    void loraDoesNotNeedTheFirstFrozenInputGradient() {
        TrainFlops f = vit(FineTuningMethods.named("lora"));
        double tokens = B * T;
        double[][] shapes = {{W, 3 * W}, {W, W}, {W, 4 * W}, {4 * W, W}};
        double fwd = 0;
        double bwd = 0;
        for (double[] s : shapes) {
            double a = 2 * tokens * R * s[0];
            double b = 2 * tokens * R * s[1];
            fwd += a + b;
            bwd += 2 * b + a + a;                                // dB, du, dA, dx
        }
        assertEquals(baseForward() + DEPTH * fwd, f.forward(), 1e-6);
        double attention = 2 * 2 * B * T * T * W;
        double dX = lin(tokens, W, 3 * W) + lin(tokens, W, W) + lin(tokens, W, 4 * W) + lin(tokens, 4 * W, W);
        // block 0's qkv: its input needs no gradient, so neither the frozen dX nor LoRA's dx is computed
        double notNeeded = lin(tokens, W, 3 * W) + 2 * tokens * R * W;
        double head = 2 * lin(B, W, C);
        assertEquals(DEPTH * (dX + 2 * attention + bwd) - notNeeded + head, f.backward(), 1e-6);
    }

    @Test
    void causalAttentionCountsTheVisibleHalfOnly() {
        TrainFlops f = TrainFlops.llama(FineTuningMethods.named("probe"), R, 1, 4, 11, 8, 1, 2, 2, 4, 12);
        double tokens = 4;
        double fwd = 4 * lin(tokens, 8, 8) + 2 * 2 * (4 * 5 / 2.0) * 8 + 2 * lin(tokens, 8, 12) + lin(tokens, 12, 8)
                + lin(tokens, 8, 11);
        assertEquals(fwd, f.forward(), 1e-6);
        assertEquals(lin(tokens, 8, 11), f.backward(), 1e-6);
    }

    @Test
    void llama1bWegeftStepCountsGroupedQueryProjectionsAndTheTiedHeadOnce() {
        // Llama-3.2-1B, one sequence of 256 tokens, r 16 on q, k, v, o, gate, up, down: q and o 2048 × 2048;
        // k and v 2048 → 8 key/value heads of 64 = 512; gate and up 2048 → 8192, down 8192 → 2048; 16 layers;
        // lm_head 2048 → 128,256 (the embedding table, tied: one product like an untied head)
        double n = 256;
        double c = 2048;
        double kv = 512;
        double m = 8192;
        double r = 16;
        double base = 2 * lin(n, c, c) + 2 * lin(n, c, kv) + 2 * lin(n, c, m) + lin(n, m, c);  // one layer
        double attention = 2 * 2 * (256 * 257 / 2.0) * (32 * 64);      // Q·Kᵀ and P·V, 32 query heads of 64
        double p = 2 * n * r * c;                                       // one WeGeFT product at d_in 2048
        double pDown = 2 * n * r * m;                                   // down_proj's, at d_in 8192
        double edits = 2 * (6 * p + pDown);                             // u = x psiᵀ and u phi, 7 targets
        double editsBackward = 4 * (6 * p + pDown);                     // dphi, du, dpsi, dx
        double head = lin(n, c, 128_256);
        TrainFlops f = BenchModel.LLAMA_1B.flops(FineTuningMethods.named("wegeft"), 16, 1, 256);
        double forward = 16 * (base + attention + edits) + head;
        assertEquals(forward, f.forward(), forward * 1e-12);
        // every frozen product needs dX (its input is edited); layer 0's q, k, v edit the embedding output, which
        // needs no gradient, so their dx is not computed; the frozen head needs dX only
        double backward = 16 * (base + 2 * attention + editsBackward) - 3 * p + head;
        assertEquals(backward, f.backward(), backward * 1e-12);
    }
}
