package org.wegeft.vision.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.Linear;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.lora.LoraLinear;
import org.wegeft.peft.merge.MergePlan;
import org.wegeft.peft.merge.MergeWriter;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.VisionFamilies;

/**
 * A PEFT LoRA adapter made for transformers' ViTForImageClassification (targets query, value; classifier in
 * modules_to_save; tools/fixtures/make_vision_family_fixtures.py) loads by name into the Hugging Face ViT, runs
 * unmerged as PyTorch does, and merges, in memory and through the folder merge, into PyTorch's merged weights.
 */
class HfLoraAdapterTest {
    private static final double TOL = 1e-5;
    private static final int LAYERS = 2;
    private static Map<String, Tensor> io;
    private static Map<String, Tensor> expected;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadIo() {
        io = HfFixtures.tensors("hf_families_io.safetensors");
        expected = HfFixtures.tensors("hf_lora_io.safetensors");
    }

    @AfterAll
    static void closeIo() {
        io.values().forEach(Tensor::close);
        expected.values().forEach(Tensor::close);
    }

    private static String target(int layer, String name) {
        return "vit.encoder.layer." + layer + ".attention.attention." + name;
    }

    private static double logitsError(ImageClassifier model) {
        model.module().eval();
        try (var g = Grad.disabled(); Tensor logits = model.forward(io.get("images"))) {
            return TensorFixtures.maxRelError(logits, expected.get("lora_logits"));
        }
    }

    @Test
    void adapterLoadsByNameAndUnmergedForwardMatchesTorch() {
        ImageClassifier vit = VisionFamilies.fromPretrained(HfFixtures.path("hf_vit"));
        PeftModel peft = PeftModel.fromPretrained(vit.module(), HfFixtures.path("hf_vit_lora"));
        assertEquals(2 * LAYERS, peft.adapterLayers().size());
        for (int i = 0; i < LAYERS; i++) {
            for (String n : new String[] {"query", "value"}) {
                assertTrue(vit.module().module(target(i, n)) instanceof LoraLinear, target(i, n));
            }
            assertTrue(vit.module().module(target(i, "key")) instanceof Linear, "key is no target");
        }
        double err = logitsError(vit);
        System.out.printf("HF ViT + PEFT LoRA, unmerged logits: max rel error %.2e%n", err);
        assertTrue(err <= TOL, "unmerged logits rel error " + err);
    }

    @Test
    void mergedWeightsEqualTorchMergedWeights() {
        ImageClassifier vit = VisionFamilies.fromPretrained(HfFixtures.path("hf_vit"));
        PeftModel.fromPretrained(vit.module(), HfFixtures.path("hf_vit_lora")).mergeAndUnload();
        double worst = 0;
        for (int i = 0; i < LAYERS; i++) {
            for (String n : new String[] {"query", "value"}) {
                Linear merged = (Linear) vit.module().module(target(i, n));
                worst = Math.max(worst, TensorFixtures.maxRelError(merged.weight(),
                        expected.get("merged_" + i + "_" + n)));
            }
        }
        double logits = logitsError(vit);
        System.out.printf("HF ViT + PEFT LoRA, merged in memory: weights %.2e, logits %.2e (max rel)%n", worst, logits);
        assertTrue(worst <= TOL, "merged weights rel error " + worst);
        assertTrue(logits <= TOL, "merged logits rel error " + logits);
    }

    @Test
    void folderMergeWritesTorchMergedWeights() throws IOException {
        Path out = dir.resolve("merged");
        try (MergePlan plan = MergePlan.prepare(HfFixtures.path("hf_vit"), HfFixtures.path("hf_vit_lora"), out, null,
                false)) {
            MergeWriter.Summary s = new MergeWriter(plan, (i, shards, name, tensors, merged, bytes) -> { }).write();
            assertEquals(2 * LAYERS, s.targets());
        }
        Map<String, Tensor> written = TensorFixtures.tensors(out.resolve("model.safetensors"));
        double worst = 0;
        try {
            for (int i = 0; i < LAYERS; i++) {
                for (String n : new String[] {"query", "value"}) {
                    worst = Math.max(worst, TensorFixtures.maxRelError(written.get(target(i, n) + ".weight"),
                            expected.get("merged_" + i + "_" + n)));
                }
            }
        } finally {
            written.values().forEach(Tensor::close);
        }
        double logits = logitsError(VisionFamilies.fromPretrained(out));
        System.out.printf("HF ViT + PEFT LoRA, folder merge: weights %.2e, logits %.2e (max rel)%n", worst, logits);
        assertTrue(worst <= TOL, "merged weights rel error " + worst);
        assertTrue(logits <= TOL, "merged folder's logits rel error " + logits);
    }
}
