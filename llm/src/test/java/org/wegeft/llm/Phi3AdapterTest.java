package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.Linear;
import org.wegeft.peft.AdapterConfig;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.lora.LoraLinear;
import org.wegeft.peft.merge.MergePlan;
import org.wegeft.peft.merge.MergeWriter;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;

/**
 * Adapters on Phi-3's fused layers by their Hugging Face names ({@code qkv_proj}, {@code gate_up_proj}): files in
 * PEFT's key layout, and a PyTorch-made PEFT LoRA adapter (tools/fixtures/make_phi3_fixtures.py) whose unmerged
 * logits, in-memory merge and folder merge ({@code wegeft merge}'s library path) match PyTorch.
 */
class Phi3AdapterTest {
    static final double TOL = 1e-5;

    @TempDir
    Path tmp;

    @Test
    void loraAndWegeftTargetFusedLayersAndSavePeftKeys() throws IOException {
        TargetModules fused = TargetModules.of("qkv_proj", "gate_up_proj");
        Map<String, AdapterConfig> configs = Map.of(
                "lora", LoraConfig.of(4, 8, fused),
                "wegeft", WeGeFTConfig.of(4, 8, fused, java.util.List.of()));
        for (var e : configs.entrySet()) {
            try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("phi3_plain"))) {
                PeftModel pm = PeftModel.inject(model, e.getValue(), 1);
                assertEquals(4, pm.adapterLayers().size(), e.getKey() + ": 2 fused targets × 2 layers");
                Path dir = tmp.resolve(e.getKey());
                pm.save(dir);
                Map<String, Tensor> saved = TensorFixtures.tensors(dir.resolve("adapter_model.safetensors"));
                TreeSet<String> keys = new TreeSet<>(saved.keySet());
                saved.values().forEach(Tensor::close);
                String a = e.getKey().equals("lora") ? "lora_A" : "wegeft_phi";
                String b = e.getKey().equals("lora") ? "lora_B" : "wegeft_psi";
                for (int i = 0; i < 2; i++) {
                    for (String m : new String[] {"self_attn.qkv_proj", "mlp.gate_up_proj"}) {
                        String base = "base_model.model.model.layers." + i + "." + m + ".";
                        assertTrue(keys.contains(base + a + ".weight"), e.getKey() + ": " + keys);
                        assertTrue(keys.contains(base + b + ".weight"), e.getKey() + ": " + keys);
                    }
                }
                assertEquals(8, keys.size(), keys.toString());
            }
        }
    }

    @Test
    void peftLoraFromPyTorchMatchesUnmergedAndMerged() {
        Map<String, Tensor> io = LlmFixtures.tensors("phi3_plain_lora/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(LlmFixtures.path("phi3_plain"));
             Grad.Mode off = Grad.disabled()) {
            PeftModel pm = PeftModel.fromPretrained(model, LlmFixtures.path("phi3_plain_lora"));
            model.eval();
            var qkv = ((Phi3DecoderLayer) model.layers().get(1)).selfAttn().qkvProj();
            assertTrue(qkv instanceof LoraLinear, "qkv_proj adapted: " + qkv.getClass());
            try (Tensor unmerged = model.forward(io.get("ids"))) {
                double err = TensorFixtures.maxRelError(unmerged, io.get("logits"));
                System.out.printf("parity phi3 lora unmerged max rel error %.3g%n", err);
                assertTrue(err <= TOL, "unmerged: " + err);
            }
            pm.mergeAndUnload();
            double worst = mergedWeightError(model, io);
            System.out.printf("parity phi3 lora merged weights max rel error %.3g%n", worst);
            assertTrue(worst <= TOL, "merged weights: " + worst);
            try (Tensor merged = model.forward(io.get("ids"))) {
                double err = TensorFixtures.maxRelError(merged, io.get("logits"));
                System.out.printf("parity phi3 lora merged logits max rel error %.3g%n", err);
                assertTrue(err <= TOL, "merged: " + err);
            }
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    @Test
    void folderMergeOfPeftLoraGivesPyTorchsMergedWeights() throws IOException {
        Path out = tmp.resolve("merged");
        try (MergePlan plan = MergePlan.prepare(LlmFixtures.path("phi3_plain"), LlmFixtures.path("phi3_plain_lora"),
                out, null, false)) {
            MergeWriter.Summary s = new MergeWriter(plan, (i, shards, name, tensors, merged, bytes) -> { }).write();
            assertEquals(4, s.targets());
        }
        Map<String, Tensor> io = LlmFixtures.tensors("phi3_plain_lora/io.safetensors");
        try (CausalLM model = CausalLM.fromPretrained(out); Grad.Mode off = Grad.disabled()) {
            double worst = mergedWeightError(model, io);
            System.out.printf("parity phi3 lora folder-merged weights max rel error %.3g%n", worst);
            assertTrue(worst <= TOL, "folder-merged weights: " + worst);
            try (Tensor logits = model.forward(io.get("ids"))) {
                assertTrue(TensorFixtures.maxRelError(logits, io.get("logits")) <= TOL);
            }
        } finally {
            io.values().forEach(Tensor::close);
        }
    }

    /** The largest relative error of the fused layers' weights against PyTorch's merged ones. */
    private static double mergedWeightError(CausalLM model, Map<String, Tensor> io) {
        double worst = 0;
        for (int i = 0; i < 2; i++) {
            var layer = (Phi3DecoderLayer) model.layers().get(i);
            worst = Math.max(worst, weightError(layer.selfAttn().qkvProj(), io, i, "self_attn.qkv_proj"));
            worst = Math.max(worst, weightError(layer.mlp().gateUpProj(), io, i, "mlp.gate_up_proj"));
        }
        return worst;
    }

    private static double weightError(org.wegeft.nn.Layer layer, Map<String, Tensor> io, int i, String module) {
        Tensor w = ((Linear) layer).weight();
        Tensor expected = io.get("merged.model.layers." + i + "." + module + ".weight");
        assertTrue(expected != null, module + " of layer " + i + " is in the fixture");
        return TensorFixtures.maxRelError(w, expected);
    }
}
