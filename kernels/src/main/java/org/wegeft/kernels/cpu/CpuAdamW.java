package org.wegeft.kernels.cpu;

import static org.wegeft.kernels.cpu.CpuVec.F;
import static org.wegeft.kernels.cpu.CpuVec.L;
import static org.wegeft.kernels.cpu.CpuVec.get;
import static org.wegeft.kernels.cpu.CpuVec.ld;
import static org.wegeft.kernels.cpu.CpuVec.set;
import static org.wegeft.kernels.cpu.CpuVec.st;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;

/** One fused AdamW pass, in the same operation order as PyTorch's single-tensor implementation. */
final class CpuAdamW {
    private CpuAdamW() {
    }

    static void adamw(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, long n, float lr,
                      float beta1, float beta2, float eps, float weightDecay, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("adamw: step must start at 1, got " + step);
        }
        float decay = 1f - lr * weightDecay;
        float c1 = 1f - beta1;
        float c2 = 1f - beta2;
        float stepSize = (float) (lr / (1 - StrictMath.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - StrictMath.pow(beta2, step));
        CpuVec.blocks(n, (from, to) -> {
            long i = from;
            long vb = from + F.loopBound(to - from);
            for (; i < vb; i += L) {
                FloatVector g = ld(grad, i);
                FloatVector p = ld(param, i).mul(decay);
                FloatVector mm = ld(m, i).mul(beta1).add(g.mul(c1));
                FloatVector vv = ld(v, i).mul(beta2).add(g.mul(g).mul(c2));
                FloatVector denom = vv.sqrt().div(bc2Sqrt).add(eps);
                st(m, i, mm);
                st(v, i, vv);
                st(param, i, p.sub(mm.div(denom).mul(stepSize)));
            }
            for (; i < to; i++) {
                float g = get(grad, i);
                float p = get(param, i) * decay;
                float mm = get(m, i) * beta1 + g * c1;
                float vv = get(v, i) * beta2 + g * g * c2;
                float denom = (float) Math.sqrt(vv) / bc2Sqrt + eps;
                set(m, i, mm);
                set(v, i, vv);
                set(param, i, p - mm / denom * stepSize);
            }
        });
    }
}
