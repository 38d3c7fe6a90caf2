package org.wegeft.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.peft.wegeft.WeGeFTLinear;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;

class PeftModelTest {
    private static ToyModels.Vit vit() {
        return new ToyModels.Vit(3, 8, 16, 5, 21);
    }

    @Test
    void tiedPairIsSharedAndStoredOnceUnderTheFirstLayer() {
        WeGeFTConfig c = WeGeFTConfig.of(4, 4, TargetModules.of("attn.proj"), List.of(List.of("blocks\\.\\d+\\.attn")));
        PeftModel pm = PeftModel.inject(vit(), c, 1);
        assertEquals(List.of("base_model.model.blocks.0.attn.proj.wegeft_phi.weight",
                "base_model.model.blocks.0.attn.proj.wegeft_psi.weight"), List.copyOf(pm.adapterState().keySet()));
        WeGeFTLinear first = (WeGeFTLinear) pm.adapterLayers().get("blocks.0.attn.proj");
        WeGeFTLinear last = (WeGeFTLinear) pm.adapterLayers().get("blocks.2.attn.proj");
        assertSame(first.phi(), last.phi());
        assertSame(first.psi(), last.psi());
        assertEquals(2L * 4 * 8, pm.trainableReport().trainable());
        float[] phi = first.phi().weight().toFloatArray();
        for (float v : phi) {
            assertEquals(0f, v, "phi starts at zero");
        }
        float bound = (float) (1 / Math.sqrt(8));
        for (float v : first.psi().weight().toFloatArray()) {
            assertTrue(Math.abs(v) <= bound, "psi is kaiming-uniform within ±1/√d_in");
        }
    }

    @Test
    void tieGroupWithUnequalInputSizesIsATypedErrorNamingGroupAndLayers() {
        WeGeFTConfig c = WeGeFTConfig.of(4, 4, TargetModules.of("fc1", "fc2"), List.of(List.of(".*mlp\\.fc")));
        AdapterTargetException e = assertThrows(AdapterTargetException.class, () -> PeftModel.inject(vit(), c, 1));
        assertEquals("tied_modules", e.key());
        assertTrue(e.getMessage().contains("[.*mlp\\.fc]") && e.getMessage().contains("blocks.0.mlp.fc1")
                && e.getMessage().contains("blocks.0.mlp.fc2"), e.getMessage());
    }

    @Test
    void targetsMatchingNothingIsATypedError() {
        LoraConfig c = LoraConfig.of(4, 4, TargetModules.of("q_proj"));
        AdapterTargetException e = assertThrows(AdapterTargetException.class, () -> PeftModel.inject(vit(), c, 1));
        assertEquals("target_modules", e.key());
        assertTrue(e.getMessage().contains("q_proj"), e.getMessage());
    }

    @Test
    void layersToTransformAndModulesToSaveFollowPeft() {
        LoraConfig c = new LoraConfig(2, 4, 0, TargetModules.of("fc1"), false, "lora_only", List.of("head"),
                List.of(1), List.of(), Map.of(), null, Map.of(), Map.of(), "true", false);
        PeftModel pm = PeftModel.inject(vit(), c, 1);
        assertEquals(List.of("blocks.1.mlp.fc1"), List.copyOf(pm.adapterLayers().keySet()));
        assertEquals(List.of("base_model.model.blocks.1.mlp.fc1.bias", "base_model.model.blocks.1.mlp.fc1.lora_A.weight",
                "base_model.model.blocks.1.mlp.fc1.lora_B.weight", "base_model.model.head.weight",
                "base_model.model.head.bias"), List.copyOf(pm.adapterState().keySet()));
    }

    @Test
    void trainableReportIsFormattedAsPeft() {
        PeftModel pm = PeftModel.inject(vit(), WeGeFTConfig.of(4, 4, TargetModules.of("attn.proj"), List.of()), 1);
        TrainableReport r = pm.trainableReport();
        assertEquals(3L * 2 * 4 * 8, r.trainable());
        assertEquals(String.format(java.util.Locale.ROOT, "trainable params: 192 || all params: %,d || trainable%%: %.4f",
                r.total(), 100.0 * 192 / r.total()), r.toString());
    }

    @Test
    void loadingReportsMissingUnexpectedAndMisShapedKeysByName(@TempDir Path dir) throws Exception {
        WeGeFTConfig c = WeGeFTConfig.of(4, 4, TargetModules.of("attn.proj"), List.of());
        PeftModel.inject(vit(), c, 1).save(dir);
        PeftModel other = PeftModel.inject(vit(), WeGeFTConfig.of(4, 4, TargetModules.of("attn.proj", "fc1"),
                List.of()), 1);
        AdapterLoadException e = assertThrows(AdapterLoadException.class, () -> other.loadAdapter(dir));
        assertTrue(e.missing().contains("base_model.model.blocks.0.mlp.fc1.wegeft_phi.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("adapter_model.safetensors"), e.getMessage());
        PeftModel rank2 = PeftModel.inject(vit(), WeGeFTConfig.of(2, 4, TargetModules.of("attn.proj"), List.of()), 1);
        AdapterLoadException bad = assertThrows(AdapterLoadException.class, () -> rank2.loadAdapter(dir));
        assertEquals(6, bad.misShaped().size(), bad.getMessage());
        PeftModel fewer = PeftModel.inject(vit(), new WeGeFTConfig(4, 4, TargetModules.of("attn.proj"), List.of(), 0,
                "input", "none", List.of(), List.of(0), List.of(), Map.of()), 1);
        AdapterLoadException extra = assertThrows(AdapterLoadException.class, () -> fewer.loadAdapter(dir));
        assertTrue(extra.unexpected().contains("base_model.model.blocks.2.attn.proj.wegeft_psi.weight"));
    }

    @Test
    void fromPretrainedRebuildsTheAdaptedModel(@TempDir Path dir) throws Exception {
        WeGeFTConfig c = WeGeFTConfig.of(4, 6, TargetModules.of("attn.proj"), List.of(List.of(".*proj")));
        PeftModel pm = AdapterMethodsTest.nonTrivial(PeftModel.inject(vit(), c, 3), 3);
        pm.save(dir);
        assertTrue(Files.exists(dir.resolve("adapter_config.json")));
        PeftModel back = PeftModel.fromPretrained(vit(), dir);
        assertInstanceOf(WeGeFTConfig.class, back.config());
        try (var g = Grad.disabled(); Tensor x = Tensor.randn(9, 2, 3, 8)) {
            Approx.assertClose(((ToyModels.Vit) pm.model()).forward(x), ((ToyModels.Vit) back.model()).forward(x),
                    0, "same outputs");
        }
    }

    @Test
    void mergerComputesTheSameMergedWeightFromFileTensors() {
        WeGeFTConfig c = WeGeFTConfig.of(4, 6, TargetModules.of("attn.proj"), List.of(List.of(".*proj")));
        PeftModel pm = AdapterMethodsTest.nonTrivial(PeftModel.inject(vit(), c, 3), 3);
        Merger m = Merger.of(c, PeftModel.linearShapes(vit()), "test");
        Map<String, Tensor> state = pm.adapterState();
        m.checkAdapter(state.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().shape())), "memory");
        String path = "blocks.1.attn.proj";
        Tensor w = pm.adapterLayers().get(path).baseLayer().weight();
        try (Tensor merged = m.merged(path, w, state::get)) {
            pm.merge();
            Approx.assertClose(w, merged, 1e-6, "Merger == PeftModel.merge");
        }
        assertFalse(m.isTarget("blocks.1.attn.qkv"));
    }
}
