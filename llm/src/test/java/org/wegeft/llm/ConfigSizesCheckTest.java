package org.wegeft.llm;

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
 * A config.json whose sizing values do not fit the checkpoint beside it is refused before any module is built,
 * naming the key, the config file and the checkpoint.
 */
class ConfigSizesCheckTest {
    @TempDir
    Path tmp;

    /** The fixture folder with {@code key} set to {@code value} in its config.json. */
    private Path edited(String fixture, String key, String value) throws IOException {
        Path src = LlmFixtures.path(fixture);
        Path dir = Files.createDirectories(tmp.resolve(fixture));
        String json = Files.readString(src.resolve("config.json"));
        String out = json.replaceFirst("\"" + key + "\": [^,\\n]*(,?)\\n", "\"" + key + "\": " + value + "$1\n");
        if (out.equals(json)) {
            out = json.replaceFirst("\\{", "{\"" + key + "\": " + value + ",");
        }
        Files.writeString(dir.resolve("config.json"), out);
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return dir;
    }

    @ParameterizedTest(name = "{0}: {1} = {2} → {3}")
    @CsvSource(delimiter = '|', value = {
        // fixture    | edited key          | value   | key named           | in the message
        "llama_untied | num_hidden_layers   | 1000000 | num_hidden_layers   | holds 2 (model.layers.0 to model.layers.1)",
        "llama_untied | num_hidden_layers   | 100000  | num_hidden_layers   | holds 2",
        "llama_untied | num_hidden_layers   | 3       | num_hidden_layers   | holds 2",
        "llama_untied | vocab_size          | 1000000 | vocab_size          | model.embed_tokens.weight [128, 32]",
        "llama_untied | hidden_size         | 4096    | hidden_size         | model.embed_tokens.weight [128, 32]",
        "llama_untied | intermediate_size   | 1000000 | intermediate_size   | model.layers.0.mlp.down_proj.weight",
        "llama_untied | head_dim            | 4096    | num_attention_heads | × head_dim 4096",
        "llama_untied | num_key_value_heads | 4       | num_key_value_heads | model.layers.0.self_attn.k_proj.weight",
        "phi3_plain   | num_key_value_heads | 4       | num_key_value_heads | model.layers.0.self_attn.qkv_proj.weight",
        "phi3_plain   | num_hidden_layers   | 1000000 | num_hidden_layers   | holds"})
    void aConfigThatDoesNotFitItsCheckpointIsRefusedByKey(String fixture, String key, String value, String named,
            String detail) throws IOException {
        Path dir = edited(fixture, key, value);
        DecoderConfigException e = assertThrows(DecoderConfigException.class, () -> CausalLM.fromPretrained(dir));
        assertEquals(named, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": '" + named + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(detail), e.getMessage());
    }
}
