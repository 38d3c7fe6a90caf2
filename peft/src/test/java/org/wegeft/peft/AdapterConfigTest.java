package org.wegeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.wegeft.WeGeFTConfig;

class AdapterConfigTest {
    static final String PEFT_LORA = """
            {"alpha_pattern": {}, "auto_mapping": null, "base_model_name_or_path": "meta-llama/Llama-2-7b-hf",
             "bias": "none", "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true,
             "layers_pattern": null, "layers_to_transform": null, "lora_alpha": 16, "lora_dropout": 0.05,
             "modules_to_save": null, "peft_type": "LORA", "r": 8, "rank_pattern": {}, "revision": null,
             "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM", "use_rslora": false}
            """;
    static final String WEGEFT = """
            {"peft_type": "WEGEFT", "r": 64, "wegeft_alpha": 128, "wegeft_dropout": 0.1,
             "target_modules": ["q_proj", "k_proj"], "tied_modules": [[".*q_proj"], [".*k_proj"]],
             "transform_dim": {"q_proj": "input", "k_proj": "input"}, "bias": "none",
             "task_type": "CAUSAL_LM", "base_model_name_or_path": "llama"}
            """;

    @Test
    void readsPeftLoraConfigAndKeepsUnknownFields() {
        LoraConfig c = assertInstanceOf(LoraConfig.class, AdapterConfig.parse(PEFT_LORA, "a.json"));
        assertEquals(8, c.r());
        assertEquals(2f, c.scale());
        assertEquals(0.05, c.loraDropout(), 1e-12);
        assertEquals(TargetModules.of("q_proj", "v_proj"), c.targetModules());
        assertEquals("CAUSAL_LM", c.extra().get("task_type"));
        assertEquals("meta-llama/Llama-2-7b-hf", c.extra().get("base_model_name_or_path"));
        assertEquals(c, AdapterConfig.parse(c.toJson(), "rewritten"), "write → read round-trips with extras");
    }

    @Test
    void readsWeGeFTConfigWithTieGroupsAndPerTargetTransformDim() {
        WeGeFTConfig c = assertInstanceOf(WeGeFTConfig.class, AdapterConfig.parse(WEGEFT, "w.json"));
        assertEquals(List.of(List.of(".*q_proj"), List.of(".*k_proj")), c.tiedModules());
        assertEquals(2f, c.scale());
        assertEquals("input", c.transformDim());
        assertEquals(c, AdapterConfig.parse(c.toJson(), "rewritten"));
    }

    @Test
    void rsLoraScalesByAlphaOverRootR() {
        String json = PEFT_LORA.replace("\"use_rslora\": false", "\"use_rslora\": true").replace("\"r\": 8", "\"r\": 16");
        assertEquals(4f, AdapterConfig.parse(json, "x").scale(), 1e-6);
    }

    @Test
    void regexTargetModulesFullMatchThePath(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("adapter_config.json"), PEFT_LORA.replace("[\"q_proj\", \"v_proj\"]",
                "\".*layers\\\\.1\\\\..*q_proj\""));
        AdapterConfig c = AdapterConfig.read(dir);
        assertTrue(c.targetModules().matches("model.layers.1.self_attn.q_proj"));
        assertTrue(!c.targetModules().matches("model.layers.1.self_attn.q_proj.x"));
        assertTrue(!c.targetModules().matches("model.layers.2.self_attn.q_proj"));
        c.write(dir.resolve("copy.json"));
        assertEquals(c, AdapterConfig.read(dir.resolve("copy.json")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown peft type | \"peft_type\": \"LORA\" | \"peft_type\": \"ADALORA\" | peft_type",
        "zero rank | \"r\": 8 | \"r\": 0 | r",
        "negative rank | \"r\": 8 | \"r\": -2 | r",
        "rank as string | \"r\": 8 | \"r\": \"eight\" | r",
        "fractional rank | \"r\": 8 | \"r\": 8.5 | r",
        "alpha as string | \"lora_alpha\": 16 | \"lora_alpha\": \"16\" | lora_alpha",
        "bad bias | \"bias\": \"none\" | \"bias\": \"some\" | bias",
        "dropout of one | \"lora_dropout\": 0.05 | \"lora_dropout\": 1.0 | lora_dropout",
        "targets as number | [\"q_proj\", \"v_proj\"] | 7 | target_modules",
        "missing targets | \"target_modules\": [\"q_proj\", \"v_proj\"], | '' | target_modules",
        "bad json | \"r\": 8, | \"r\": 8,, | (json)",
        "layers as strings | \"layers_to_transform\": null | \"layers_to_transform\": [\"a\"] | layers_to_transform"})
    void badLoraConfigIsATypedErrorNamingFileAndKey(String what, String from, String to, String key) {
        String json = PEFT_LORA.replace(from, to);
        AdapterConfigException e = assertThrows(AdapterConfigException.class,
                () -> AdapterConfig.parse(json, "dir/adapter_config.json"), what);
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith("dir/adapter_config.json: " + key + ": "), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "output transform | \"k_proj\": \"input\"} | \"k_proj\": \"output\"} | transform_dim",
        "tied not lists | [[\".*q_proj\"], [\".*k_proj\"]] | [[1]] | tied_modules",
        "bad bias | \"bias\": \"none\" | \"bias\": \"lora_only\" | bias",
        "negative dropout | \"wegeft_dropout\": 0.1 | \"wegeft_dropout\": -0.1 | wegeft_dropout",
        "missing rank | \"r\": 64, | '' | r"})
    void badWeGeFTConfigIsATypedErrorNamingFileAndKey(String what, String from, String to, String key) {
        String json = WEGEFT.replace(from, to);
        AdapterConfigException e = assertThrows(AdapterConfigException.class, () -> AdapterConfig.parse(json, "w.json"),
                what);
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith("w.json: " + key), e.getMessage());
    }

    @Test
    void missingFileIsATypedError(@TempDir Path dir) {
        AdapterConfigException e = assertThrows(AdapterConfigException.class, () -> AdapterConfig.read(dir));
        assertTrue(e.getMessage().contains("adapter_config.json"), e.getMessage());
    }
}
