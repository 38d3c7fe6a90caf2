package org.wegeft.cli.jmh;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.wegeft.kernels.Backends;
import org.wegeft.kernels.KernelBackend;

/**
 * The main fused kernels through the SPI, per backend, at ViT-S/16 sizes for a batch of 8 images
 * (B·T = 8·197 = 1576 tokens, C = 384, 6 heads of 64), and a LLaMA-sized cross-entropy.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FusedKernelsBenchmark {
    static final int TOKENS = 8 * 197;
    static final int C = 384;
    static final int HEADS = 8 * 6;
    static final int T = 197;
    static final int D = 64;
    static final int CE_ROWS = 512;
    static final int VOCAB = 32000;
    static final int PARAMS = 1 << 22;

    @Param({"scalar", "cpu"})
    public String backend = "scalar";

    private KernelBackend k;
    private BenchBuffers buf;
    // layer norm: x, y, dy, dx (TOKENS, C); gamma, beta, dgamma, dbeta (C); mean, rstd (TOKENS)
    private MemorySegment x, y, dy, dx, gamma, beta, dgamma, dbeta, mean, rstd;
    // softmax: scores and probabilities (HEADS·T, T)
    private MemorySegment scores, probs;
    // cross-entropy: logits, dlogits (CE_ROWS, VOCAB); targets, losses (CE_ROWS)
    private MemorySegment logits, dlogits, targets, losses;
    // adamw: param, grad, m, v (PARAMS)
    private MemorySegment param, grad, m, v;
    // attention: q, k, v, out, dout, dq, dk, dv (HEADS, T, D); lse (HEADS, T)
    private MemorySegment q, kk, vv, out, dout, dq, dk, dv, lse;
    // activation function: the MLP's hidden activations (TOKENS, 4·C), their gradient, and the results
    private MemorySegment hid, hidOut, hidGrad, hidDx;
    private int step;

    @Setup(Level.Trial)
    public void setup() {
        k = Backends.byName(backend);
        buf = new BenchBuffers();
        long tc = (long) TOKENS * C;
        x = buf.floats(tc);
        y = buf.zeros(tc);
        dy = buf.floats(tc);
        dx = buf.zeros(tc);
        gamma = buf.floats(C, 0.5, 1.5);
        beta = buf.floats(C);
        dgamma = buf.zeros(C);
        dbeta = buf.zeros(C);
        mean = buf.zeros(TOKENS);
        rstd = buf.zeros(TOKENS);
        scores = buf.floats((long) HEADS * T * T, -4, 4);
        probs = buf.zeros((long) HEADS * T * T);
        logits = buf.floats((long) CE_ROWS * VOCAB, -4, 4);
        dlogits = buf.zeros((long) CE_ROWS * VOCAB);
        targets = buf.ints(CE_ROWS, VOCAB);
        losses = buf.zeros(CE_ROWS);
        param = buf.floats(PARAMS);
        grad = buf.floats(PARAMS, -0.01, 0.01);
        m = buf.zeros(PARAMS);
        v = buf.zeros(PARAMS);
        long htd = (long) HEADS * T * D;
        q = buf.floats(htd);
        kk = buf.floats(htd);
        vv = buf.floats(htd);
        out = buf.zeros(htd);
        dout = buf.floats(htd);
        dq = buf.zeros(htd);
        dk = buf.zeros(htd);
        dv = buf.zeros(htd);
        lse = buf.zeros((long) HEADS * T);
        k.attention(q, kk, vv, out, lse, HEADS, T, T, D, 0.125f, false);
        long th = (long) TOKENS * 4 * C;
        hid = buf.floats(th, -4, 4);
        hidOut = buf.zeros(th);
        hidGrad = buf.floats(th);
        hidDx = buf.zeros(th);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.close();
    }

    @Benchmark
    public void layerNormForwardBackward() {
        k.layerNorm(x, gamma, beta, y, mean, rstd, TOKENS, C, 1e-6f);
        k.layerNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, TOKENS, C);
    }

    /** GELU (erf) forward over an MLP's hidden activations. */
    @Benchmark
    public void geluForward() {
        k.unary(org.wegeft.kernels.UnaryOp.GELU_ERF, hid, hidOut, (long) TOKENS * 4 * C);
    }

    /** GELU (erf) backward over the same: dx = dy·GELU'(x). */
    @Benchmark
    public void geluBackward() {
        k.unaryBackward(org.wegeft.kernels.UnaryOp.GELU_ERF, hid, hidGrad, hidDx, (long) TOKENS * 4 * C);
    }

    /** A memory-bound pass over the same bytes as {@link #geluForward} (negation), for scale. */
    @Benchmark
    public void negateForScale() {
        k.unary(org.wegeft.kernels.UnaryOp.NEG, hid, hidOut, (long) TOKENS * 4 * C);
    }

    @Benchmark
    public void softmax() {
        k.softmax(scores, probs, HEADS * T, T, false, T);
    }

    @Benchmark
    public int crossEntropy() {
        return k.crossEntropy(logits, targets, losses, dlogits, CE_ROWS, VOCAB, -100, 0f);
    }

    @Benchmark
    public void adamw() {
        k.adamw(param, grad, m, v, PARAMS, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, ++step);
    }

    @Benchmark
    public void attentionForward() {
        k.attention(q, kk, vv, out, lse, HEADS, T, T, D, 0.125f, false);
    }

    @Benchmark
    public void attentionBackward() {
        k.attentionBackward(q, kk, vv, out, lse, dout, dq, dk, dv, HEADS, T, T, D, 0.125f, false);
    }
}
