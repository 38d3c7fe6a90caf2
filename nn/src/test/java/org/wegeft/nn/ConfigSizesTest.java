package org.wegeft.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ConfigSizes}: layer counts, dimensions, and tensors the checkpoint lacks. */
class ConfigSizesTest {
    private static final ConfigFields.Errors ERRORS = TestConfigException::new;
    private static final Map<String, long[]> SHAPES = Map.of(
            "layers.0.w", new long[] {8, 4}, "layers.1.w", new long[] {8, 4}, "layers.10x.w", new long[] {1},
            "embed.weight", new long[] {100, 4});

    private static final class TestConfigException extends ModelConfigException {
        TestConfigException(String source, String key, String problem) {
            super(source, key, problem);
        }
    }

    private static String refusal(ConfigSizes s) {
        return assertThrows(TestConfigException.class, () -> s.check(SHAPES, "config.json", "model.safetensors",
                ERRORS)).getMessage();
    }

    @Test
    void valuesThatFitPass() {
        new ConfigSizes().layers("n_layers", 2, "layers.").layers("fewer", 1, "layers.")
                .dim("vocab", 100, "embed.weight", 0).dim("width", 4, "layers.0.w", 1)
                .dim("absent", 1_000_000, "no.such.tensor", 0)
                .check(SHAPES, "config.json", "model.safetensors", ERRORS);
    }

    @Test
    void moreLayersThanStoredAreRefused() {
        assertEquals("config.json: 'n_layers' is 3 but model.safetensors holds 2 (layers.0 to layers.1)",
                refusal(new ConfigSizes().layers("n_layers", 3, "layers.")));
        assertEquals("config.json: 'n_layers' is 1 but model.safetensors holds no blocks.{i}.* tensors",
                refusal(new ConfigSizes().layers("n_layers", 1, "blocks.")));
    }

    @Test
    void aDimensionOtherThanTheTensorsIsRefused() {
        assertEquals("config.json: 'vocab' is 1000000 but model.safetensors has embed.weight [100, 4] (dimension 0"
                + " is 100)", refusal(new ConfigSizes().dim("vocab", 1_000_000, "embed.weight", 0)));
        assertEquals("config.json: 'heads' is 2 (× 8 = 16) but model.safetensors has layers.0.w [8, 4] (dimension 0"
                + " is 8)", refusal(new ConfigSizes().dim("heads", "2 (× 8 = 16)", 16, "layers.0.w", 0)));
        assertEquals("config.json: 'rank' is 4 but model.safetensors has embed.weight [100, 4]",
                refusal(new ConfigSizes().dim("rank", 4, "embed.weight", 2)));
    }
}
