package org.wegeft.peft.toy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.wegeft.kernels.DType;
import org.wegeft.nn.Linear;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.AdapterConfigFields;
import org.wegeft.peft.AdapterLayer;
import org.wegeft.peft.AdapterMethod;
import org.wegeft.peft.AdapterPlan;
import org.wegeft.peft.AdapterTarget;
import org.wegeft.peft.AdapterTensor;
import org.wegeft.peft.AdapterWeight;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.peft.MethodOptions;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

/**
 * A method that lives outside the library, as a user's plug-in would: one package (config, layer, this descriptor)
 * and one {@link FineTuningMethods#register} call. ΔW = s·diag(l)·W.
 */
public class OutputScaleMethod implements AdapterMethod {
    private static final Set<String> FIELDS = Set.of("toy_alpha");

    static {
        FineTuningMethods.register(new OutputScaleMethod());
    }

    /** Registers the method once (class initialisation). */
    public static void ensureRegistered() {
    }

    @Override
    public String name() {
        return "toy-output-scale";
    }

    @Override
    public String label() {
        return "output scale (toy)";
    }

    @Override
    public AdapterConfig config(MethodOptions options) {
        return OutputScaleConfig.of(options.alphaOr(1.0), options.targetModules());
    }

    @Override
    public String peftType() {
        return OutputScaleConfig.PEFT_TYPE;
    }

    @Override
    public String tensorPrefix() {
        return "toy_";
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    @Override
    public AdapterConfig parse(AdapterConfigFields f) {
        return new OutputScaleConfig(f.fields().number("toy_alpha", 1.0), f.targetModules(), f.bias(),
                f.modulesToSave(), f.layersToTransform(), f.layersPattern(), f.extra(FIELDS));
    }

    @Override
    public void write(AdapterConfig config, ObjectNode json) {
        AdapterConfigFields.putNumber(json, "toy_alpha", ((OutputScaleConfig) config).toyAlpha());
    }

    @Override
    public List<AdapterTensor> tensors(AdapterPlan plan, AdapterTarget t) {
        return List.of(new AdapterTensor("toy_l.weight", new long[] {t.dOut(), 1}));
    }

    @Override
    public AdapterLayer wrap(AdapterPlan plan, Linear base, AdapterTarget t, Map<String, List<AdapterWeight>> shared,
            SplittableRandom rng) {
        return new OutputScaleLinear(base, new AdapterWeight(Tensor.zeros(t.dOut(), 1)), plan.config().scale());
    }

    @Override
    public Tensor deltaW(AdapterPlan plan, AdapterTarget t, Tensor w, List<Tensor> tensors) {
        return deltaW(w, tensors.get(0), plan.config().scale());
    }

    static Tensor deltaW(Tensor w, Tensor l, float scale) {
        try (var g = Grad.disabled(); Tensor w32 = w.to(DType.F32); Tensor lw = w32.mul(l)) {
            return lw.mul(scale);
        }
    }
}
