package org.wegeft.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.DType;
import org.wegeft.nn.Identity;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.Storage;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorInfo;
import org.wegeft.tensor.testing.TensorFixtures;

/** Forward parity with the PyTorch reference of tools/fixtures/make_vit_fixtures.py. */
class VitTorchParityTest {
    private static final double TOL = 1e-4;
    private static Map<String, Tensor> io;

    @BeforeAll
    static void loadIo() {
        io = Fixtures.tensors("vit_io.safetensors");
    }

    @AfterAll
    static void closeIo() {
        io.values().forEach(Tensor::close);
    }

    private static Tensor logits(VisionTransformer model, Tensor images) {
        model.eval();
        try (var g = Grad.disabled()) {
            return model.forward(images);
        }
    }

    @Test
    void timmNamedCheckpointMatchesTorchLogitsAndFeatures() {
        VisionTransformer model = VisionTransformer.fromPretrained(Fixtures.path("vit_timm"));
        model.eval();
        try (var g = Grad.disabled(); Tensor f = model.forwardFeatures(io.get("images"));
             Tensor l = model.forwardHead(f)) {
            double fe = TensorFixtures.maxRelError(f, io.get("features"));
            double le = TensorFixtures.maxRelError(l, io.get("logits"));
            System.out.printf("ViT timm parity: features %.2e, logits %.2e (max rel)%n", fe, le);
            assertTrue(fe <= TOL, "features rel error " + fe);
            assertTrue(le <= TOL, "logits rel error " + le);
        }
    }

    @Test
    void gradientsThroughTheWholeModelMatchTorch() {
        VisionTransformer model = VisionTransformer.fromPretrained(Fixtures.path("vit_timm"));
        model.train();
        try (Tensor l = model.forward(io.get("images")); Tensor weighted = l.mul(io.get("grad_out"));
             Tensor loss = weighted.sum()) {
            loss.backward();
        }
        Map<String, Tensor> params = model.namedParameters();
        double worst = 0;
        for (String key : List.of("cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight",
                "blocks.0.attn.proj.weight", "blocks.1.mlp.fc1.bias", "blocks.1.norm2.weight", "norm.weight",
                "head.weight")) {
            double e = TensorFixtures.maxRelError(params.get(key).grad(), io.get("grad_" + key));
            assertTrue(e <= TOL, key + " gradient rel error " + e);
            worst = Math.max(worst, e);
        }
        System.out.printf("ViT backward parity: worst gradient %.2e (max rel)%n", worst);
    }

    @Test
    void huggingFaceNamedCheckpointGivesTheSameLogits() {
        VisionTransformer timm = VisionTransformer.fromPretrained(Fixtures.path("vit_timm"));
        VisionTransformer hf = VisionTransformer.fromPretrained(Fixtures.path("vit_hf"));
        assertEquals(List.of("class_0", "class_1", "class_2", "class_3", "class_4"), hf.config().labels());
        assertEquals(1e-6, hf.config().layerNormEps(), 1e-12);
        try (Tensor a = logits(timm, io.get("images")); Tensor b = logits(hf, io.get("images"))) {
            double e = TensorFixtures.maxRelError(b, a);
            double t = TensorFixtures.maxRelError(b, io.get("logits"));
            System.out.printf("ViT HF-named vs timm-named: %.2e, vs torch: %.2e (max rel)%n", e, t);
            assertTrue(e <= 1e-5, "HF vs timm rel error " + e);
            assertTrue(t <= TOL, "HF vs torch rel error " + t);
        }
    }

    /** ViTModel keys: no "vit." prefix, no classifier, plus a pooler (ignored); num_classes becomes 0. */
    @Test
    void huggingFaceViTModelCheckpointLoadsAsFeaturesOnly(@TempDir Path dir) throws IOException {
        Path hf = Fixtures.path("vit_hf");
        Files.copy(hf.resolve("config.json"), dir.resolve("config.json"));
        List<Storage> open = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(hf.resolve("model.safetensors"))) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (TensorInfo info : f.tensors()) {
                if (!info.name().startsWith("classifier.")) {
                    Storage s = f.storage(info.name());
                    open.add(s);
                    w.add(info.name().substring("vit.".length()), DType.F32, info.shape(), s);
                }
            }
            Storage pw = Storage.ofFloats(new float[24 * 24]);
            Storage pb = Storage.ofFloats(new float[24]);
            open.add(pw);
            open.add(pb);
            w.add("pooler.dense.weight", DType.F32, new long[] {24, 24}, pw).add("pooler.dense.bias", DType.F32,
                    new long[] {24}, pb);
            w.write(dir.resolve("model.safetensors"));
        } finally {
            open.forEach(Storage::close);
        }
        VisionTransformer model = VisionTransformer.fromPretrained(dir);
        assertEquals(0, model.config().numClasses());
        assertTrue(model.head() instanceof Identity);
        model.eval();
        try (var g = Grad.disabled(); Tensor f = model.forwardFeatures(io.get("images"))) {
            assertTrue(TensorFixtures.maxRelError(f, io.get("features")) <= TOL);
        }
    }

    @Test
    void averagePoolingWithFcNormMatchesTorch() {
        VisionTransformer model = VisionTransformer.fromPretrained(Fixtures.path("vit_avg"));
        assertTrue(model.config().fcNorm());
        assertTrue(model.stateDict().containsKey("fc_norm.weight"));
        try (Tensor l = logits(model, io.get("images"))) {
            double e = TensorFixtures.maxRelError(l, io.get("avg_logits"));
            System.out.printf("ViT avg-pool parity: %.2e (max rel)%n", e);
            assertTrue(e <= TOL, "avg logits rel error " + e);
        }
    }

    @Test
    void posEmbedResampleMatchesTorchBicubic() {
        VisionTransformer model = VisionTransformer.fromPretrained(Fixtures.path("vit_timm"));
        try (Tensor r = PosEmbedResample.resample(model.posEmbed(), 1, 4, 6)) {
            double e = TensorFixtures.maxRelError(r, io.get("pos_embed24"));
            System.out.printf("pos_embed 4x4 → 6x6 bicubic parity: %.2e (max rel)%n", e);
            assertTrue(e <= TOL, "resampled pos_embed rel error " + e);
        }
    }

    @Test
    void loadingAtALargerImageSizeResamplesPosEmbedLikeTorch() {
        Path dir = Fixtures.path("vit_timm");
        VisionTransformer model = VisionTransformer.fromPretrained(dir, VitConfig.read(dir).withImgSize(24), true);
        assertEquals(37, model.posEmbed().size(1));
        try (Tensor l = logits(model, io.get("images24"))) {
            double e = TensorFixtures.maxRelError(l, io.get("logits24"));
            System.out.printf("ViT at 24 px (resampled pos_embed) parity: %.2e (max rel)%n", e);
            assertTrue(e <= TOL, "24 px logits rel error " + e);
        }
    }
}
