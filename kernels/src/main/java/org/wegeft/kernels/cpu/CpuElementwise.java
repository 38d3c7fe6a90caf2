package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;
import static org.wegeft.kernels.cpu.CpuVec.ld;
import static org.wegeft.kernels.cpu.CpuVec.st;
import static org.wegeft.kernels.cpu.CpuVec.tail;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.wegeft.kernels.UnaryOp;

/**
 * Elementwise kernels: unary functions and their derivatives, affine, fill. Each op gets its own
 * vector loop (the switch is outside the loop); the tail is one masked vector step so every element goes
 * through exactly the same arithmetic.
 */
final class CpuElementwise {
    private static final float SQRT1_2 = (float) Math.sqrt(0.5);
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
    private static final float GELU_K = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_C = 0.044715f;

    private CpuElementwise() {
    }

    // ------------------------------------------------------------------ unary forward

    static void unary(UnaryOp op, MemorySegment x, MemorySegment y, long n) {
        CpuVec.blocks(n, (from, to) -> unaryRange(op, x, y, from, to));
    }

    private static void unaryRange(UnaryOp op, MemorySegment x, MemorySegment y, long from, long to) {
        long i = from;
        long vb = from + F.loopBound(to - from);
        // transcendental ops loop in methods of their own (see backwardRange)
        switch (op) {
            case NEG -> { for (; i < vb; i += L) st(y, i, ld(x, i).neg()); }
            case ABS -> { for (; i < vb; i += L) st(y, i, ld(x, i).abs()); }
            case EXP -> i = expForward(x, y, i, vb);
            case LOG -> i = logForward(x, y, i, vb);
            case SQRT -> { for (; i < vb; i += L) st(y, i, ld(x, i).sqrt()); }
            case RSQRT -> { for (; i < vb; i += L) st(y, i, rsqrt(ld(x, i))); }
            case RECIPROCAL -> { for (; i < vb; i += L) st(y, i, recip(ld(x, i))); }
            case SQUARE -> { for (; i < vb; i += L) { FloatVector v = ld(x, i); st(y, i, v.mul(v)); } }
            case TANH -> i = tanhForward(x, y, i, vb);
            case SIGMOID -> i = sigmoidForward(x, y, i, vb);
            case RELU -> { for (; i < vb; i += L) st(y, i, ld(x, i).max(0f)); }
            case GELU_ERF -> i = geluErfForward(x, y, i, vb);
            case GELU_TANH -> i = geluTanhForward(x, y, i, vb);
            case SILU -> i = siluForward(x, y, i, vb);
        }
        if (i < to) {
            VectorMask<Float> m = tail(i, to);
            st(y, i, forward(op, ld(x, i, m)), m);
        }
    }

    /** The same functions as the loops above, for the masked tail step. */
    static FloatVector forward(UnaryOp op, FloatVector v) {
        return switch (op) {
            case NEG -> v.neg();
            case ABS -> v.abs();
            case EXP -> CpuVec.exp(v);
            case LOG -> CpuVec.log(v);
            case SQRT -> v.sqrt();
            case RSQRT -> rsqrt(v);
            case RECIPROCAL -> recip(v);
            case SQUARE -> v.mul(v);
            case TANH -> CpuVec.tanh(v);
            case SIGMOID -> sigmoid(v);
            case RELU -> v.max(0f);
            case GELU_ERF -> geluErf(v);
            case GELU_TANH -> geluTanh(v);
            case SILU -> v.mul(sigmoid(v));
        };
    }

    static FloatVector recip(FloatVector v) {
        return FloatVector.broadcast(F, 1f).div(v);
    }

    static FloatVector rsqrt(FloatVector v) {
        return FloatVector.broadcast(F, 1f).div(v.sqrt());
    }

    static FloatVector sigmoid(FloatVector v) {
        return FloatVector.broadcast(F, 1f).div(CpuVec.exp(v.neg()).add(1f));
    }

    /** Φ(x) = ½(1 + erf(x/√2)). */
    private static FloatVector phi(FloatVector v) {
        return CpuVec.erf(v.mul(SQRT1_2)).add(1f).mul(0.5f);
    }

    static FloatVector geluErf(FloatVector v) {
        return v.mul(phi(v));
    }

    private static FloatVector tanhInner(FloatVector v) {
        // √(2/π)·(x + 0.044715·x³)
        return CpuVec.tanh(v.mul(v).mul(GELU_C).fma(v, v).mul(GELU_K));
    }

    static FloatVector geluTanh(FloatVector v) {
        return v.mul(0.5f).mul(tanhInner(v).add(1f));
    }

    // ------------------------------------------------------------------ unary backward

    static void unaryBackward(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx, long n) {
        CpuVec.blocks(n, (from, to) -> backwardRange(op, x, dy, dx, from, to));
    }

    private static void backwardRange(UnaryOp op, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                      long from, long to) {
        long i = from;
        long vb = from + F.loopBound(to - from);
        // each transcendental op's loop is a method of its own: in one method with the others, C2 stops inlining
        // exp/erf/tanh and the vectors are boxed (measured 10× slower for GELU's backward)
        switch (op) {
            case NEG -> { for (; i < vb; i += L) st(dx, i, ld(dy, i).neg()); }
            case ABS -> { for (; i < vb; i += L) st(dx, i, ld(dy, i).mul(sign(ld(x, i)))); }
            case EXP -> i = expBackward(x, dy, dx, i, vb);
            case LOG -> { for (; i < vb; i += L) st(dx, i, ld(dy, i).div(ld(x, i))); }
            case SQRT -> { for (; i < vb; i += L) st(dx, i, ld(dy, i).mul(0.5f).div(ld(x, i).sqrt())); }
            case RSQRT -> { for (; i < vb; i += L) st(dx, i, ld(dy, i).mul(derivative(op, ld(x, i)))); }
            case RECIPROCAL -> { for (; i < vb; i += L) st(dx, i, ld(dy, i).mul(derivative(op, ld(x, i)))); }
            case SQUARE -> { for (; i < vb; i += L) st(dx, i, ld(dy, i).mul(ld(x, i).mul(2f))); }
            case TANH -> i = tanhBackward(x, dy, dx, i, vb);
            case SIGMOID -> i = sigmoidBackward(x, dy, dx, i, vb);
            case RELU -> { for (; i < vb; i += L) st(dx, i, dRelu(ld(x, i), ld(dy, i))); }
            case GELU_ERF -> i = geluErfBackward(x, dy, dx, i, vb);
            case GELU_TANH -> i = geluTanhBackward(x, dy, dx, i, vb);
            case SILU -> i = siluBackward(x, dy, dx, i, vb);
        }
        if (i < to) {
            VectorMask<Float> m = tail(i, to);
            FloatVector xv = ld(x, i, m);
            FloatVector g = ld(dy, i, m);
            FloatVector r = switch (op) {
                case NEG -> g.neg();
                case LOG -> g.div(xv);
                case SQRT -> g.mul(0.5f).div(xv.sqrt());
                case RELU -> dRelu(xv, g);
                default -> g.mul(derivative(op, xv));
            };
            st(dx, i, r, m);
        }
    }

    // one small method per transcendental loop, so each compiles with exp/erf/tanh fully inlined; each returns
    // the first index it did not process (vb)

    private static long expForward(MemorySegment x, MemorySegment y, long i, long vb) {
        for (; i < vb; i += L) {
            CpuVec.exp(ld(x, i)).intoMemorySegment(y, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long logForward(MemorySegment x, MemorySegment y, long i, long vb) {
        for (; i < vb; i += L) {
            CpuVec.log(ld(x, i)).intoMemorySegment(y, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long tanhForward(MemorySegment x, MemorySegment y, long i, long vb) {
        for (; i < vb; i += L) {
            CpuVec.tanh(ld(x, i)).intoMemorySegment(y, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long sigmoidForward(MemorySegment x, MemorySegment y, long i, long vb) {
        for (; i < vb; i += L) {
            sigmoid(ld(x, i)).intoMemorySegment(y, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long geluErfForward(MemorySegment x, MemorySegment y, long i, long vb) {
        for (; i < vb; i += L) {
            geluErf(ld(x, i)).intoMemorySegment(y, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long geluTanhForward(MemorySegment x, MemorySegment y, long i, long vb) {
        for (; i < vb; i += L) {
            geluTanh(ld(x, i)).intoMemorySegment(y, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long siluForward(MemorySegment x, MemorySegment y, long i, long vb) {
        for (; i < vb; i += L) {
            FloatVector v = ld(x, i);
            v.mul(sigmoid(v)).intoMemorySegment(y, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long expBackward(MemorySegment x, MemorySegment dy, MemorySegment dx, long i, long vb) {
        for (; i < vb; i += L) {
            ld(dy, i).mul(CpuVec.exp(ld(x, i))).intoMemorySegment(dx, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long tanhBackward(MemorySegment x, MemorySegment dy, MemorySegment dx, long i, long vb) {
        for (; i < vb; i += L) {
            ld(dy, i).mul(dTanh(ld(x, i))).intoMemorySegment(dx, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long sigmoidBackward(MemorySegment x, MemorySegment dy, MemorySegment dx, long i, long vb) {
        for (; i < vb; i += L) {
            ld(dy, i).mul(dSigmoid(ld(x, i))).intoMemorySegment(dx, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    /**
     * Two passes over the block (at most {@link CpuVec#BLOCK} elements, so the second finds Φ(x) in L1/L2): Φ(x)
     * into per-thread scratch, then dx. In one loop, erf and the density's exp exceed C2's inlining budget and
     * the vectors get boxed (measured 3× slower, 43 MB of garbage per call at ViT-S size).
     */
    private static long geluErfBackward(MemorySegment x, MemorySegment dy, MemorySegment dx, long i, long vb) {
        MemorySegment t = CpuVec.scratch(CpuVec.BLOCK);
        for (long s = i; s < vb; s += CpuVec.BLOCK) {
            long e = Math.min(vb, s + CpuVec.BLOCK);
            phiPass(x, t, s, e);
            geluErfBackwardPass(x, dy, dx, t, s, e);
        }
        return vb;
    }

    /** t[j − i] = Φ(x[j]) for j in [i, vb). */
    private static void phiPass(MemorySegment x, MemorySegment t, long i, long vb) {
        for (long j = i; j < vb; j += L) {
            phi(ld(x, j)).intoMemorySegment(t, (j - i) * 4, CpuVec.ORDER);
        }
    }

    /** dx = dy·(Φ(x) + x·φ(x)) with Φ(x) from {@link #phiPass}: the same arithmetic as {@link #dGeluErf}. */
    private static long geluErfBackwardPass(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t,
                                            long i, long vb) {
        long i0 = i;
        for (; i < vb; i += L) {
            FloatVector v = ld(x, i);
            FloatVector pdf = CpuVec.exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            ld(dy, i).mul(v.fma(pdf, ld(t, i - i0))).intoMemorySegment(dx, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long geluTanhBackward(MemorySegment x, MemorySegment dy, MemorySegment dx, long i, long vb) {
        for (; i < vb; i += L) {
            ld(dy, i).mul(dGeluTanh(ld(x, i))).intoMemorySegment(dx, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    private static long siluBackward(MemorySegment x, MemorySegment dy, MemorySegment dx, long i, long vb) {
        for (; i < vb; i += L) {
            ld(dy, i).mul(dSilu(ld(x, i))).intoMemorySegment(dx, i * 4, CpuVec.ORDER);
        }
        return i;
    }

    /** op'(x) for the ops whose backward is dy·op'(x) in the loops above. */
    private static FloatVector derivative(UnaryOp op, FloatVector v) {
        return switch (op) {
            case NEG -> FloatVector.broadcast(F, -1f);
            case ABS -> sign(v);
            case EXP -> CpuVec.exp(v);
            case LOG -> recip(v);
            case SQRT -> rsqrt(v).mul(0.5f);
            case RSQRT -> rsqrt(v).div(v).mul(-0.5f);           // −½·x^(−3/2)
            case RECIPROCAL -> recip(v.mul(v)).neg();          // −1/x²
            case SQUARE -> v.mul(2f);
            case TANH -> dTanh(v);
            case SIGMOID -> dSigmoid(v);
            case RELU -> FloatVector.broadcast(F, 1f).blend(0f, v.compare(VectorOperators.LE, 0f));
            case GELU_ERF -> dGeluErf(v);
            case GELU_TANH -> dGeluTanh(v);
            case SILU -> dSilu(v);
        };
    }

    /** sign(x) with sign(0) = 0 (torch's abs backward). */
    private static FloatVector sign(FloatVector v) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.blend(-1f, v.compare(VectorOperators.LT, 0f)).blend(0f, v.compare(VectorOperators.EQ, 0f));
    }

    private static FloatVector dRelu(FloatVector x, FloatVector g) {
        return g.blend(0f, x.compare(VectorOperators.LE, 0f).or(x.test(VectorOperators.IS_NAN)));
    }

    private static FloatVector dTanh(FloatVector v) {
        FloatVector t = CpuVec.tanh(v);
        return t.neg().fma(t, FloatVector.broadcast(F, 1f));
    }

    private static FloatVector dSigmoid(FloatVector v) {
        FloatVector s = sigmoid(v);
        return s.mul(s.neg().add(1f));
    }

    /** Φ(x) + x·φ(x). */
    private static FloatVector dGeluErf(FloatVector v) {
        FloatVector pdf = CpuVec.exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
        return v.fma(pdf, phi(v));
    }

    /** ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3c·x²). */
    private static FloatVector dGeluTanh(FloatVector v) {
        FloatVector t = tanhInner(v);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector inner = v.mul(v).mul(3 * GELU_C).add(1f).mul(GELU_K);
        FloatVector sech2 = t.neg().fma(t, one);
        return t.add(1f).mul(0.5f).add(v.mul(0.5f).mul(sech2).mul(inner));
    }

    /** s·(1 + x·(1 − s)). */
    private static FloatVector dSilu(FloatVector v) {
        FloatVector s = sigmoid(v);
        return s.mul(v.mul(s.neg().add(1f)).add(1f));
    }

    // ------------------------------------------------------------------ affine and fill

    static void affine(MemorySegment x, MemorySegment y, long n, float scale, float shift) {
        CpuVec.blocks(n, (from, to) -> {
            long i = from;
            long vb = from + F.loopBound(to - from);
            FloatVector s = FloatVector.broadcast(F, scale);
            FloatVector b = FloatVector.broadcast(F, shift);
            for (; i < vb; i += L) {
                st(y, i, ld(x, i).fma(s, b));
            }
            for (; i < to; i++) {
                CpuVec.set(y, i, Math.fma(CpuVec.get(x, i), scale, shift));
            }
        });
    }

    static void fill(MemorySegment y, long n, float value) {
        CpuVec.blocks(n, (from, to) -> {
            long i = from;
            long vb = from + F.loopBound(to - from);
            FloatVector v = FloatVector.broadcast(F, value);
            for (; i < vb; i += L) {
                st(y, i, v);
            }
            for (; i < to; i++) {
                CpuVec.set(y, i, value);
            }
        });
    }
}
