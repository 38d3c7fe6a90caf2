package org.wegeft.nn.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorOptim;

/**
 * torch {@code optim.AdamW}: decoupled weight decay, bias correction, per-group lr scale and decay; one fused
 * kernel per parameter ({@link TensorOptim#adamwStep}). State per parameter: exp_avg, exp_avg_sq and its own
 * step count (a parameter that first gets a gradient late starts its bias correction then, as torch).
 */
public final class AdamW extends BaseOptimizer<AdamW.Moments> implements Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;

    /** exp_avg, exp_avg_sq and the step count of one parameter. */
    static final class Moments implements AutoCloseable {
        final Tensor m;
        final Tensor v;
        int step;

        Moments(Tensor m, Tensor v, int step) {
            this.m = m;
            this.v = v;
            this.step = step;
        }

        @Override
        public void close() {
            m.close();
            v.close();
        }
    }

    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        super(groups, lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)) {
            throw new IllegalArgumentException("AdamW: invalid betas (" + beta1 + ", " + beta2 + ") or eps " + eps);
        }
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.eps = (float) eps;
    }

    /** torch's defaults: betas (0.9, 0.999), eps 1e-8. */
    public AdamW(List<ParamGroup> groups, double lr) {
        this(groups, lr, 0.9, 0.999, 1e-8);
    }

    @Override
    public void step() {
        try (var g = Grad.disabled()) {
            forEachUpdatable((group, p) -> {
                Moments s = stateFor(p, q -> new Moments(TensorOptim.stateLike(q), TensorOptim.stateLike(q), 0));
                s.step++;
                TensorOptim.adamwStep(p, p.grad(), s.m, s.v, (float) (learningRate() * group.lrScale()), beta1, beta2,
                        eps, (float) group.weightDecay(), s.step);
            });
        }
    }

    @Override
    public long stateBytes() {
        long b = 0;
        for (Moments s : state.values()) {
            b += 4 * (s.m.numel() + s.v.numel());
        }
        return b;
    }

    @Override
    public OptimizerState state(Map<Tensor, String> names) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> scalars = new LinkedHashMap<>();
        for (Tensor p : stateOrder()) {
            String n = nameOf(names, p);
            Moments s = state.get(p);
            tensors.put(n + ".exp_avg", s.m);
            tensors.put(n + ".exp_avg_sq", s.v);
            scalars.put(n + ".step", Integer.toString(s.step));
        }
        return new OptimizerState(tensors, scalars);
    }

    @Override
    public void loadState(OptimizerState saved, Map<String, Tensor> params) {
        close();
        try (var g = Grad.disabled()) {
            for (var e : saved.scalars().entrySet()) {
                String n = e.getKey().substring(0, e.getKey().length() - ".step".length());
                Tensor p = params.get(n);
                if (p == null) {
                    throw new IllegalArgumentException("optimizer state names unknown parameter '" + n + "'");
                }
                Tensor m = TensorOptim.stateLike(p).copyFrom(required(saved.tensors(), n + ".exp_avg", p));
                Tensor v = TensorOptim.stateLike(p).copyFrom(required(saved.tensors(), n + ".exp_avg_sq", p));
                stateFor(p, q -> new Moments(m, v, Integer.parseInt(e.getValue())));
            }
        }
    }
}
