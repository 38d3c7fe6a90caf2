package org.wegeft.vision.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.StateDictException;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.SafetensorsWriter;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.testing.TensorFixtures;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.ImageInput;
import org.wegeft.vision.VisionFamilies;
import org.wegeft.vision.VitConfigException;

/** Hugging Face folders: bad configs and checkpoints name the file and key; heads are replaced and saved. */
class HfLoadingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A copy of a fixture folder with its config and tensors edited. */
    private Path edited(String fixture, Consumer<ObjectNode> config, Consumer<Map<String, Tensor>> tensors)
            throws IOException {
        Path src = HfFixtures.path(fixture);
        ObjectNode c = (ObjectNode) JSON.readTree(src.resolve("config.json").toFile());
        config.accept(c);
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(c));
        Map<String, Tensor> t = TensorFixtures.tensors(src.resolve("model.safetensors"));
        try {
            tensors.accept(t);
            SafetensorsWriter.save(dir.resolve("model.safetensors"), t, Map.of());
        } finally {
            t.values().forEach(Tensor::close);
        }
        return dir;
    }

    @Test
    void unknownModelTypeNamesTheFileAndTheKey() throws IOException {
        Path d = edited("hf_vit", c -> c.put("model_type", "swin"), t -> { });
        VitConfigException e = assertThrows(VitConfigException.class, () -> VisionFamilies.fromPretrained(d));
        assertEquals("model_type", e.key());
        assertTrue(e.getMessage().contains(d.resolve("config.json").toString()) && e.getMessage().contains("swin")
                && e.getMessage().contains("dinov2_with_registers"), e.getMessage());
    }

    @Test
    void unsupportedActivationNamesTheKey() throws IOException {
        Path d = edited("hf_clip", c -> ((ObjectNode) c.get("vision_config")).put("hidden_act", "mish"), t -> { });
        VitConfigException e = assertThrows(VitConfigException.class, () -> VisionFamilies.fromPretrained(d));
        assertEquals("hidden_act", e.key());
        assertTrue(e.getMessage().contains("vision_config") && e.getMessage().contains("mish"), e.getMessage());
    }

    @Test
    void headsThatDoNotDivideTheWidthAreAConfigError() throws IOException {
        Path d = edited("hf_dinov2", c -> c.put("num_attention_heads", 5), t -> { });
        VitConfigException e = assertThrows(VitConfigException.class, () -> VisionFamilies.fromPretrained(d));
        assertEquals("num_attention_heads", e.key());
    }

    @Test
    void missingAndMisShapedTensorsAreNamed() throws IOException {
        Path d = edited("hf_deit", c -> { }, t -> {
            t.remove("deit.encoder.layer.1.attention.attention.key.bias").close();
            t.put("classifier.weight", Tensor.zeros(3, 24));
        });
        StateDictException e = assertThrows(StateDictException.class, () -> VisionFamilies.fromPretrained(d));
        assertEquals(List.of("deit.encoder.layer.1.attention.attention.key.bias"), e.missing());
        assertEquals(1, e.misShaped().size());
        assertTrue(e.misShaped().get(0).startsWith("classifier.weight"), e.misShaped().toString());
        assertTrue(e.getMessage().contains(d.resolve("model.safetensors").toString()), e.getMessage());
    }

    @Test
    void aConfigWithoutLabelsTakesTheClassCountFromTheClassifier() throws IOException {
        Path d = edited("hf_vit", c -> {
            c.remove("id2label");
            c.remove("label2id");
        }, t -> { });
        ImageClassifier m = VisionFamilies.fromPretrained(d);
        assertEquals(5, m.numClasses());
        assertEquals(List.of(), m.labels());
    }

    @Test
    void aTowerWithoutClassifierHasNoHeadAndAResetOneTrainsTenClasses() {
        ImageClassifier m = VisionFamilies.fromPretrained(HfFixtures.path("hf_siglip_vision"));
        assertEquals(0, m.numClasses());
        try (var g = Grad.disabled(); Tensor images = Tensor.randn(1, 2, 3, 16, 16); Tensor out = m.forward(images)) {
            assertArrayEquals(new long[] {2, 24}, out.shape(), "the pooled features");
        }
        m.resetHead(10, List.of(), new SplittableRandom(1));
        assertEquals(10, m.numClasses());
        assertTrue(m.module().trainableParameters().containsKey("classifier.weight"));
    }

    @Test
    void theInputComesFromTheConfigAndTheFamilysProcessorDefaults() {
        ImageInput dinov2 = VisionFamilies.input(HfFixtures.path("hf_dinov2"));
        assertEquals(new ImageInput(16, List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225), "bicubic"), dinov2);
        ImageInput clip = VisionFamilies.input(HfFixtures.path("hf_clip"));     // from the full config's vision_config
        assertEquals(16, clip.size());
        assertEquals(clip, VisionFamilies.fromPretrained(HfFixtures.path("hf_clip")).input());
    }

    @Test
    void aNewHeadSavesAndReloadsWithItsLabels() throws IOException {
        HfImageClassifier m = (HfImageClassifier) VisionFamilies.fromPretrained(HfFixtures.path("hf_dinov2_reg"));
        m.resetHead(3, List.of("x", "y", "z"), new SplittableRandom(3));
        m.save(dir.resolve("saved"));
        HfImageClassifier back = (HfImageClassifier) VisionFamilies.fromPretrained(dir.resolve("saved"));
        assertEquals(List.of("x", "y", "z"), back.labels());
        m.eval();
        back.eval();
        try (var g = Grad.disabled(); Tensor images = Tensor.randn(2, 2, 3, 16, 16); Tensor a = m.forward(images);
             Tensor b = back.forward(images)) {
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        }
    }
}
