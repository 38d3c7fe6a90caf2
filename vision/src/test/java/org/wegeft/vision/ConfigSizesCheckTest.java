package org.wegeft.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A vision config.json whose sizing values do not fit the checkpoint beside it is refused before the model is built,
 * naming the key, the config file and the checkpoint, for every family kind.
 */
class ConfigSizesCheckTest {
    @TempDir
    Path tmp;

    /** The fixture folder with the first {@code key} set to {@code value} in its config.json. */
    private Path edited(String fixture, String key, String value) throws IOException {
        Path src = Fixtures.path(fixture);
        Path dir = Files.createDirectories(tmp.resolve(fixture));
        String json = Files.readString(src.resolve("config.json"));
        String out = json.replaceFirst("\"" + key + "\": [^,\\n]*(,?)\\n", "\"" + key + "\": " + value + "$1\n");
        assertTrue(!out.equals(json), fixture + " has no " + key);
        Files.writeString(dir.resolve("config.json"), out);
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return dir;
    }

    @ParameterizedTest(name = "{0}: {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        // fixture     | edited key          | value   | key named           | in the message
        "vit_timm      | depth               | 1000000 | depth               | holds 2 (blocks.0 to blocks.1)",
        "vit_timm      | embed_dim           | 4096    | embed_dim           | patch_embed.proj.weight",
        "vit_timm      | mlp_ratio           | 1000.0  | mlp_ratio           | blocks.0.mlp.fc1.weight",
        "vit_timm      | img_size            | 4096    | img_size            | up to 4x per side",
        "vit_hf        | num_hidden_layers   | 1000000 | num_hidden_layers   | holds 2",
        "hf_vit        | num_hidden_layers   | 1000000 | num_hidden_layers   | vit.encoder.layer.0 to vit.encoder.layer.1",
        "hf_vit        | image_size          | 160000  | image_size          | vit.embeddings.position_embeddings",
        "hf_deit       | intermediate_size   | 1000000 | intermediate_size   | intermediate.dense.weight",
        "hf_dinov2     | num_hidden_layers   | 100000  | num_hidden_layers   | holds 2",
        "hf_clip       | num_hidden_layers   | 1000000 | num_hidden_layers   | vision_model.encoder.layers.0 to",
        "hf_siglip     | image_size          | 160000  | image_size          | vision_model.embeddings.position_embedding.weight",
        "hf_siglip     | patch_size          | 8       | patch_size          | vision_model.embeddings.patch_embedding.weight"})
    void aConfigThatDoesNotFitItsCheckpointIsRefusedByKey(String fixture, String key, String value, String named,
            String detail) throws IOException {
        Path dir = edited(fixture, key, value);
        VitConfigException e = assertThrows(VitConfigException.class, () -> VisionFamilies.fromPretrained(dir));
        assertEquals(named, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": '" + named + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(detail), e.getMessage());
    }
}
