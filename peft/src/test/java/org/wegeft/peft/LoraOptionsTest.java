package org.wegeft.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.peft.ToyModels.Toy;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.lora.LoraLinear;
import org.wegeft.tensor.Tensor;

/**
 * PEFT's LoRA fields users bring, on a model in memory: all-linear with exclude_modules, per-target ranks and alphas,
 * the initialisations, and the fields that would change the math but are not implemented (refused by name). The
 * same fields against PyTorch, through {@code wegeft merge}: MergeCommandTest.
 */
class LoraOptionsTest {
    static final String PATTERNS = """
            {"peft_type": "LORA", "r": 4, "lora_alpha": 8, "use_rslora": true, "target_modules": "all-linear",
             "exclude_modules": ["k_proj"], "rank_pattern": {"q_proj": 2, "layers\\\\.1\\\\.mlp\\\\.down_proj": 6},
             "alpha_pattern": {"v_proj": 16}, "init_lora_weights": "gaussian", "task_type": "CAUSAL_LM"}
            """;

    @Test
    void patternsChooseEachTargetsRankAndScale() {
        LoraConfig c = (LoraConfig) AdapterConfig.parse(PATTERNS, "a.json");
        Toy m = new ToyModels.Llama(2, 8, 12, 10, 12);
        PeftModel pm = PeftModel.inject(m, c, 1);
        Map<String, AdapterLayer> layers = pm.adapterLayers();
        assertFalse(layers.containsKey("lm_head"), "all-linear leaves the output head out");
        assertFalse(layers.keySet().stream().anyMatch(p -> p.endsWith("k_proj")), "excluded: " + layers.keySet());
        assertTrue(layers.containsKey("model.layers.0.self_attn.o_proj"), layers.keySet().toString());
        assertEquals(2, ((LoraLinear) layers.get("model.layers.1.self_attn.q_proj")).loraA().weight().size(0));
        assertEquals(6, ((LoraLinear) layers.get("model.layers.1.mlp.down_proj")).loraA().weight().size(0));
        assertEquals(4, ((LoraLinear) layers.get("model.layers.0.mlp.down_proj")).loraA().weight().size(0));
        assertEquals((float) (16 / Math.sqrt(4)), ((LoraLinear) layers.get("model.layers.0.self_attn.v_proj")).scale());
        assertEquals((float) (8 / Math.sqrt(2)), ((LoraLinear) layers.get("model.layers.0.self_attn.q_proj")).scale());
        // the plan (file keys and shapes, what merge and load check) agrees with the layers
        Toy fresh = new ToyModels.Llama(2, 8, 12, 10, 12);
        assertArrayEquals(new long[] {6, 12}, AdapterPlan.of(c, PeftModel.linearShapes(fresh), "a.json").adapterShapes()
                .get(AdapterPlan.PREFIX + "model.layers.1.mlp.down_proj.lora_A.weight"));
        assertEquals(c, AdapterConfig.parse(c.toJson(), "written"), "the fields round-trip");
    }

    @ParameterizedTest
    @CsvSource({"true, 0", "gaussian, 0", "false, 1"})
    void initialisationsFollowPeft(String init, int nonZeroB) {
        LoraConfig base = LoraConfig.of(4, 8, TargetModules.of("fc1"));
        LoraConfig c = new LoraConfig(4, 8, 0, base.targetModules(), false, "none", List.of(), List.of(), List.of(),
                Map.of(), null, Map.of(), Map.of(), init, false);
        PeftModel pm = PeftModel.inject(new ToyModels.Vit(2, 8, 16, 5, 3), c, 7);
        LoraLinear l = (LoraLinear) pm.adapterLayers().values().iterator().next();
        float[] b = l.loraB().weight().toFloatArray();
        boolean anyB = false;
        for (float v : b) {
            anyB |= v != 0f;
        }
        assertEquals(nonZeroB == 1, anyB, init + ": lora_B non-zero only without PEFT's zero init");
        float[] a = l.loraA().weight().toFloatArray();
        double max = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        // uniform A lies within 1/√d_in (d_in 8); a gaussian of std 1/r = 0.25 over 32 draws exceeds it
        assertEquals(!init.equals("gaussian"), max <= 1 / Math.sqrt(8) + 1e-6, init + ": max |A| " + max);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"lora_bias\": true|lora_bias", "\"fan_in_fan_out\": true|fan_in_fan_out",
        "\"layer_replication\": [[0, 1]]|layer_replication", "\"init_lora_weights\": \"pissa\"|init_lora_weights",
        "\"rank_pattern\": {\"q_proj\": 2.5}|rank_pattern", "\"rank_pattern\": {\"q_proj\": 0}|rank_pattern"})
    void aFieldThatWouldChangeTheMathAndIsNotImplementedIsRefusedByName(String field, String key) {
        String json = "{\"peft_type\": \"LORA\", \"r\": 4, \"target_modules\": [\"q_proj\"], " + field + "}";
        var e = assertThrows(AdapterConfigException.class, () -> AdapterConfig.parse(json, "a.json"));
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains("a.json"), e.getMessage());
    }

    @Test
    void gaussianAHasStandardDeviationOneOverR() {
        LoraConfig c = new LoraConfig(4, 8, 0, TargetModules.of("lm_head"), false, "none", List.of(), List.of(),
                List.of(), Map.of(), null, Map.of(), Map.of(), "gaussian", false);
        PeftModel pm = PeftModel.inject(new ToyModels.Llama(1, 512, 12, 50, 12), c, 3);
        Tensor a = ((LoraLinear) pm.adapterLayers().get("lm_head")).loraA().weight();
        double sq = 0;
        float[] v = a.toFloatArray();
        for (float x : v) {
            sq += x * x;
        }
        assertEquals(0.25, Math.sqrt(sq / v.length), 0.015);   // 2,048 draws: the estimate's own spread is 0.004
    }
}
