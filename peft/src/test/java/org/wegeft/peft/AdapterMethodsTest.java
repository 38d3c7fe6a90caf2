package org.wegeft.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wegeft.nn.Linear;
import org.wegeft.peft.ToyModels.Toy;
import org.wegeft.peft.ia3.Ia3Config;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.toy.OutputScaleConfig;
import org.wegeft.peft.toy.OutputScaleMethod;
import org.wegeft.peft.vera.VeraConfig;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/** The adapter properties of DESIGN.md §5, table-driven over methods × toy models. */
class AdapterMethodsTest {
    /** A method applied to a model: how to apply it (with a seed) and its trainable count from shapes. */
    record Case(String name, Supplier<Toy> model, Function<Long, Function<Toy, PeftModel>> apply,
            Function<Toy, Long> expectedTrainable) {
        PeftModel build(long seed) {
            return apply.apply(seed).apply(model.get());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final TargetModules VIT_TARGETS = TargetModules.of("attn.proj", "fc1");
    static final TargetModules LLAMA_TARGETS = TargetModules.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj");
    static final List<List<String>> VIT_TIES = List.of(List.of("blocks\\.\\d+\\.attn\\.proj"),
            List.of(".*\\.fc1"));
    static final List<List<String>> LLAMA_TIES = Stream.of("q_proj", "k_proj", "v_proj", "up_proj", "down_proj")
            .map(n -> List.of("model\\.layers\\.\\d+\\.(self_attn|mlp)\\." + n)).toList();

    static Stream<Case> cases() {
        OutputScaleMethod.ensureRegistered();
        Supplier<Toy> vit = () -> new ToyModels.Vit(3, 8, 16, 5, 11);
        Supplier<Toy> llama = () -> new ToyModels.Llama(2, 8, 12, 10, 12);
        return Stream.of(
                adapter("wegeft tied / vit", vit, WeGeFTConfig.of(4, 8, VIT_TARGETS, VIT_TIES)),
                adapter("wegeft untied / vit", vit, WeGeFTConfig.of(4, 8, VIT_TARGETS, List.of())),
                adapter("lora / vit", vit, LoraConfig.of(4, 8, VIT_TARGETS)),
                adapter("wegeft tied / llama", llama, WeGeFTConfig.of(3, 6, LLAMA_TARGETS, LLAMA_TIES)),
                adapter("wegeft untied / llama", llama, WeGeFTConfig.of(3, 6, LLAMA_TARGETS, List.of())),
                adapter("lora / llama", llama, LoraConfig.of(3, 6, LLAMA_TARGETS)),
                adapter("dora / vit", vit, LoraConfig.of(4, 8, VIT_TARGETS).withDora(true)),
                adapter("dora / llama", llama, LoraConfig.of(3, 6, LLAMA_TARGETS).withDora(true)),
                adapter("vera / vit", vit, VeraConfig.of(6, VIT_TARGETS)),
                adapter("vera / llama", llama, VeraConfig.of(5, LLAMA_TARGETS)),
                adapter("vera, projections not saved / llama", llama, new VeraConfig(5, LLAMA_TARGETS, 3, false, 0, 0.1,
                        true, "none", List.of(), List.of(), List.of(), Map.of())),
                adapter("ia3 / vit", vit, new Ia3Config(VIT_TARGETS, TargetModules.of("fc1"), null, false, List.of(),
                        Map.of())),
                adapter("ia3 / llama", llama, new Ia3Config(LLAMA_TARGETS, TargetModules.of("down_proj"), null, false,
                        List.of(), Map.of())),
                adapter("plug-in output scale / vit", vit, OutputScaleConfig.of(0.5, VIT_TARGETS)),
                adapter("plug-in output scale / llama", llama, OutputScaleConfig.of(2, LLAMA_TARGETS)),
                baseline("bitfit / vit", vit, Baseline.bitFit("head"), m -> biases(m) + m.namedParameters().get("head.weight").numel()),
                baseline("linear probe / vit", vit, Baseline.linearProbe("head"), m -> paramsUnder(m, "head.")),
                baseline("full / vit", vit, Baseline.full(), Toy::parameterCount),
                baseline("bitfit / llama", llama, Baseline.bitFit("lm_head"),
                        m -> biases(m) + m.namedParameters().get("lm_head.weight").numel()),
                baseline("linear probe / llama", llama, Baseline.linearProbe("lm_head"),
                        m -> paramsUnder(m, "lm_head.")),
                baseline("full / llama", llama, Baseline.full(), Toy::parameterCount));
    }

    private static Case adapter(String name, Supplier<Toy> model, AdapterConfig cfg) {
        return new Case(name, model, seed -> m -> nonTrivial(PeftModel.inject(m, cfg, seed), seed),
                m -> ParameterCount.of(cfg, PeftModel.linearShapes(m)));
    }

    private static Case baseline(String name, Supplier<Toy> model, Baseline b, Function<Toy, Long> count) {
        return new Case(name, model, seed -> m -> PeftModel.baseline(m, b), count);
    }

    private static long biases(Toy m) {
        return m.namedParameters().entrySet().stream().filter(e -> e.getKey().endsWith(".bias"))
                .mapToLong(e -> e.getValue().numel()).sum();
    }

    private static long paramsUnder(Toy m, String prefix) {
        return m.namedParameters().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> e.getValue().numel()).sum();
    }

    /** Makes ΔW ≠ 0 as after some training: every adapter tensor initialised to zeros (phi, lora_B, …) made random. */
    static PeftModel nonTrivial(PeftModel pm, long seed) {
        try (var g = Grad.disabled()) {
            int i = 0;
            for (AdapterLayer l : pm.adapterLayers().values()) {
                for (var e : ((org.wegeft.nn.Module) l).namedParameters().entrySet()) {
                    Tensor t = e.getValue();
                    if (e.getKey().startsWith("base_layer.") || !isZero(t)) {
                        continue;
                    }
                    try (Tensor r = Tensor.randn(seed * 1000 + i++, t.shape())) {
                        t.copyFrom(r.mul(0.3f));
                    }
                }
            }
        }
        return pm;
    }

    private static boolean isZero(Tensor t) {
        for (float v : t.toFloatArray()) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    private static Tensor input(Toy m) {
        return Tensor.randn(77, 2, 3, m.dim());
    }

    private static Map<String, float[]> snapshot(Map<String, Tensor> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, t) -> out.put(k, t.toFloatArray()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mergedOutputEqualsUnmerged(Case c) {
        PeftModel pm = c.build(1);
        Toy m = (Toy) pm.model();
        m.eval();
        try (TensorScope s = TensorScope.open(); var g = Grad.disabled()) {
            Tensor x = input(m);
            Tensor before = m.forward(x);
            pm.merge();
            pm.adapterLayers().values().forEach(l -> assertTrue(l.isMerged()));
            Approx.assertClose(before, m.forward(x), 1e-5, c + " merged");
            pm.unmerge();
            Approx.assertClose(before, m.forward(x), 1e-6, c + " unmerged again");
            org.wegeft.nn.Module unloaded = pm.mergeAndUnload();
            unloaded.namedModules().values().forEach(mod -> assertFalse(mod instanceof AdapterLayer));
            Approx.assertClose(before, m.forward(x), 1e-5, c + " merged and unloaded");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void unmergeRestoresBaseWeights(Case c) {
        PeftModel pm = c.build(2);
        Map<String, float[]> before = snapshot(pm.model().namedParameters());
        pm.merge();
        if (!pm.adapterLayers().isEmpty()) {
            Linear base = pm.adapterLayers().values().iterator().next().baseLayer();
            String key = pm.adapterLayers().keySet().iterator().next() + ".base_layer.weight";
            assertTrue(Approx.maxRelError(before.get(key), base.weight().toFloatArray()) > 1e-6,
                    c + ": merging a non-trivial adapter changes W");
        }
        pm.unmerge();
        Map<String, float[]> after = snapshot(pm.model().namedParameters());
        before.forEach((k, v) -> assertTrue(Approx.maxRelError(v, after.get(k)) <= 1e-6, c + ": " + k));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trainingChangesOnlyTrainableParameters(Case c) {
        PeftModel pm = c.build(3);
        Toy m = (Toy) pm.model();
        Map<String, Tensor> all = m.namedParameters();
        Map<String, Tensor> trainable = m.trainableParameters();
        Map<String, float[]> before = snapshot(all);
        Map<Tensor, Tensor> momentum = new IdentityHashMap<>(); // optimizer state, created only for params with a grad
        for (int step = 0; step < 5; step++) {
            try (TensorScope s = TensorScope.open()) {
                Tensor y = m.forward(input(m));
                y.square().mean().backward();
                for (Tensor p : all.values()) {
                    Tensor grad = p.grad();
                    if (grad == null) {
                        continue;
                    }
                    try (var g = Grad.disabled()) {
                        Tensor v = momentum.computeIfAbsent(p, k -> s.keep(Tensor.zeros(k.shape())));
                        v.mulInPlace(0.9f).addInPlace(grad, 1f);
                        p.addInPlace(v, -0.05f);
                    }
                    p.setGrad(null);
                }
            }
        }
        assertEquals(trainable.size(), momentum.size(), c + ": optimizer state exactly for the trainable tensors");
        all.forEach((k, t) -> {
            boolean changed = !java.util.Arrays.equals(before.get(k), t.toFloatArray());
            if (trainable.containsKey(k)) {
                assertTrue(changed, c + ": trainable " + k + " changed");
            } else {
                assertFalse(changed, c + ": frozen " + k + " bit-identical");
                assertNull(t.grad(), c + ": frozen " + k + " has no gradient");
                assertFalse(momentum.containsKey(t), c + ": frozen " + k + " has no optimizer state");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void saveThenLoadIsBitExact(Case c, @TempDir Path dir) throws Exception {
        PeftModel saved = c.build(4);
        saved.save(dir);
        PeftModel fresh = c.build(5);
        if (saved.config() != null) {
            assertInstanceOf(saved.config().getClass(), AdapterConfig.read(dir));
            assertEquals(saved.config(), AdapterConfig.read(dir), "config round-trips");
        }
        fresh.loadAdapter(dir);
        Map<String, Tensor> want = saved.adapterState();
        Map<String, Tensor> got = fresh.adapterState();
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, t) -> assertArrayEquals(t.toFloatArray(), got.get(k).toFloatArray(), c + ": " + k));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trainableCountEqualsFormula(Case c) {
        Toy plain = c.model().get();
        long expected = c.expectedTrainable().apply(plain);
        PeftModel pm = c.build(6);
        assertEquals(expected, pm.trainableReport().trainable(), c.name());
        assertEquals(expected, pm.model().trainableParameterCount());
        long adapterParams = pm.adapterState().entrySet().stream() // model-wide frozen tensors are no parameters
                .filter(e -> e.getKey().startsWith(AdapterPlan.PREFIX)).mapToLong(e -> e.getValue().numel()).sum();
        assertEquals(plain.parameterCount() + (pm.config() == null ? 0 : adapterParams),
                pm.trainableReport().total(), "total = base + adapter");
    }
}
