package org.wegeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.peft.ToyModels.Toy;
import org.wegeft.peft.lora.LoraMethod;
import org.wegeft.peft.toy.OutputScaleConfig;
import org.wegeft.peft.toy.OutputScaleMethod;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * A method registered from outside the library (the test package {@code org.wegeft.peft.toy}) is picked up by
 * every generic path: config files, the streaming merge, adapter-file checks and the registry's own checks.
 * ({@link AdapterMethodsTest} runs the tuner-layer properties over it with the built-in methods.)
 */
class PluginMethodTest {

    @BeforeAll
    static void register() {
        OutputScaleMethod.ensureRegistered();
    }

    @Test
    void configFileRoundTripsThroughTheRegistry(@TempDir Path dir) throws Exception {
        OutputScaleConfig c = OutputScaleConfig.of(0.25, TargetModules.of("fc1"));
        c.write(dir.resolve(AdapterConfig.FILE_NAME));
        AdapterConfig back = AdapterConfig.read(dir);
        assertEquals(c, back);
        assertTrue(c.toJson().contains("\"peft_type\" : \"TOY_OUTPUT_SCALE\""), c.toJson());
        var e = assertThrows(AdapterConfigException.class,
                () -> AdapterConfig.parse("{\"peft_type\": \"NOPE\", \"r\": 1}", "x.json"));
        assertTrue(e.getMessage().contains("TOY_OUTPUT_SCALE") && e.getMessage().contains("peft_type"),
                e.getMessage());
    }

    @Test
    void streamingMergeEqualsTheLayersMerge() {
        Toy m = new ToyModels.Vit(2, 8, 16, 5, 3);
        Map<String, long[]> shapes = PeftModel.linearShapes(m);
        OutputScaleConfig c = OutputScaleConfig.of(0.5, TargetModules.of("fc1"));
        PeftModel pm = AdapterMethodsTest.nonTrivial(PeftModel.inject(m, c, 1), 1);
        Map<String, Tensor> state = pm.adapterState();
        Merger merger = Merger.of(c, shapes, "toy");
        merger.checkAdapter(shapesOf(state), "toy adapter");
        try (TensorScope s = TensorScope.open()) {
            Map<String, float[]> streamed = new LinkedHashMap<>();
            for (AdapterTarget t : merger.plan().targets()) {
                Tensor w = pm.adapterLayers().get(t.path()).baseLayer().weight();
                streamed.put(t.path(), merger.merged(t.path(), w, state::get).toFloatArray());
            }
            pm.merge();
            streamed.forEach((p, v) -> assertTrue(Approx.maxRelError(v,
                    pm.adapterLayers().get(p).baseLayer().weight().toFloatArray()) <= 1e-6, p));
        }
    }

    @Test
    void anAdapterFileWithAnotherTensorOfTheMethodIsRefused() {
        Toy m = new ToyModels.Vit(2, 8, 16, 5, 3);
        Merger merger = Merger.of(OutputScaleConfig.of(1, TargetModules.of("fc1")), PeftModel.linearShapes(m), "toy");
        Map<String, long[]> file = new LinkedHashMap<>(merger.plan().adapterShapes());
        file.put(AdapterPlan.PREFIX + "blocks.0.attn.proj.toy_l.weight", new long[] {8, 1});
        file.put(AdapterPlan.PREFIX + "head.weight", new long[] {5, 8});    // a saved module: allowed
        var e = assertThrows(AdapterLoadException.class, () -> merger.checkAdapter(file, "adapter_model.safetensors"));
        assertTrue(e.getMessage().contains("blocks.0.attn.proj.toy_l.weight") && !e.getMessage().contains("head"),
                e.getMessage());
    }

    @Test
    void aSecondMethodWithATakenNameOrPeftTypeIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> FineTuningMethods.register(new LoraMethod()));
        assertTrue(e.getMessage().contains("'lora'"), e.getMessage());
        var t = assertThrows(IllegalArgumentException.class, () -> FineTuningMethods.register(new OutputScaleMethod() {
            @Override
            public String name() {
                return "another-name";
            }
        }));
        assertTrue(t.getMessage().contains("TOY_OUTPUT_SCALE"), t.getMessage());
    }

    private static Map<String, long[]> shapesOf(Map<String, Tensor> state) {
        Map<String, long[]> out = new LinkedHashMap<>();
        state.forEach((k, t) -> out.put(k, t.shape()));
        return out;
    }
}
