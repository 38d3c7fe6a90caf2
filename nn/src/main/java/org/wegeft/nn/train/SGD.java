package org.wegeft.nn.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorOptim;
import org.wegeft.tensor.TensorScope;

/**
 * torch {@code optim.SGD} (1.13): d = g + wd·p; with momentum μ the buffer b ← d on the first step, else
 * b ← μ·b + (1 − dampening)·d; d ← d + μ·b (Nesterov) or b; p ← p − lr·d. A momentum buffer exists only for
 * parameters that received a gradient, and only when μ ≠ 0.
 */
public final class SGD extends BaseOptimizer<SGD.Buffer> implements Optimizer {
    private final float momentum;
    private final float dampening;
    private final boolean nesterov;

    /** One momentum buffer. */
    record Buffer(Tensor b) implements AutoCloseable {
        @Override
        public void close() {
            b.close();
        }
    }

    public SGD(List<ParamGroup> groups, double lr, double momentum, double dampening, boolean nesterov) {
        super(groups, lr);
        if (!(momentum >= 0) || !(dampening >= 0)) {
            throw new IllegalArgumentException("SGD: invalid momentum " + momentum + " or dampening " + dampening);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: nesterov needs momentum > 0 and dampening 0, got momentum "
                    + momentum + " dampening " + dampening);
        }
        this.momentum = (float) momentum;
        this.dampening = (float) dampening;
        this.nesterov = nesterov;
    }

    public SGD(List<ParamGroup> groups, double lr, double momentum) {
        this(groups, lr, momentum, 0, false);
    }

    @Override
    public void step() {
        try (var g = Grad.disabled()) {
            forEachUpdatable((group, p) -> {
                try (var scope = TensorScope.open()) {
                    Tensor d = p.grad().contiguous();
                    if (group.weightDecay() != 0) {
                        d = d.add(p.mul((float) group.weightDecay()));
                    }
                    if (momentum != 0) {
                        Buffer existing = state.get(p);
                        if (existing == null) {
                            Tensor copy = TensorOptim.stateLike(p).copyFrom(d);
                            stateFor(p, q -> new Buffer(copy));
                            existing = state.get(p);
                        } else {
                            existing.b().mulInPlace(momentum).addInPlace(d, 1f - dampening);
                        }
                        d = nesterov ? d.add(existing.b().mul(momentum)) : existing.b();
                    }
                    p.addInPlace(d, (float) -(learningRate() * group.lrScale()));
                }
            });
        }
    }

    @Override
    public long stateBytes() {
        long b = 0;
        for (Buffer s : state.values()) {
            b += 4 * s.b().numel();
        }
        return b;
    }

    @Override
    public OptimizerState state(Map<Tensor, String> names) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Tensor p : stateOrder()) {
            tensors.put(nameOf(names, p) + ".momentum_buffer", state.get(p).b());
        }
        return new OptimizerState(tensors, Map.of());
    }

    @Override
    public void loadState(OptimizerState saved, Map<String, Tensor> params) {
        close();
        try (var g = Grad.disabled()) {
            for (String key : saved.tensors().keySet()) {
                String n = key.substring(0, key.length() - ".momentum_buffer".length());
                Tensor p = params.get(n);
                if (p == null) {
                    throw new IllegalArgumentException("optimizer state names unknown parameter '" + n + "'");
                }
                Tensor b = TensorOptim.stateLike(p).copyFrom(required(saved.tensors(), key, p));
                stateFor(p, q -> new Buffer(b));
            }
        }
    }
}
