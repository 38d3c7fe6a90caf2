package org.wegeft.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading Gemma 2 / Gemma 3 config.json: which layers slide, the defaults, round trips and bad values by key. */
class GemmaConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    private Path edited(String fixture, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode o = (ObjectNode) JSON.readTree(LlmFixtures.path(fixture + "/config.json").toFile());
        edit.accept(o);
        Path f = Files.createTempFile(tmp, fixture, ".json");
        Files.writeString(f, JSON.writeValueAsString(o));
        return f;
    }

    private static final String S = DecoderConfig.SLIDING_ATTENTION;
    private static final String F = DecoderConfig.FULL_ATTENTION;

    @Test
    void gemma3WithoutLayerTypesMakesEverySlidingWindowPatternthLayerGlobal() throws IOException {
        DecoderConfig c = DecoderConfig.read(edited("gemma3_tiny", o -> {
            o.remove("layer_types");
            o.put("num_hidden_layers", 7);
            o.put("sliding_window_pattern", 3);
        }));
        assertEquals(List.of(S, S, F, S, S, F, S), c.layerTypes());
        DecoderConfig six = DecoderConfig.read(edited("gemma3_tiny", o -> {
            o.remove("layer_types");
            o.remove("sliding_window_pattern");
            o.put("num_hidden_layers", 7);
        }));
        assertEquals(List.of(S, S, S, S, S, F, S), six.layerTypes());       // Hugging Face's default pattern 6
    }

    @Test
    void gemma2LayerTypesOverrideTheEvenOddRule() throws IOException {
        DecoderConfig c = DecoderConfig.read(edited("gemma2_tiny", o -> o.putArray("layer_types").add(F).add(F)
                .add(S)));
        assertEquals(List.of(F, F, S), c.layerTypes());
    }

    @Test
    void absentGemmaKeysTakeHuggingFacesDefaults() throws IOException {
        DecoderConfig g2 = DecoderConfig.read(edited("gemma2_tiny", o -> {
            for (String k : List.of("attn_logit_softcapping", "final_logit_softcapping", "query_pre_attn_scalar",
                    "sliding_window", "hidden_activation", "tie_word_embeddings", "head_dim", "vocab_size",
                    "bos_token_id")) {
                o.remove(k);
            }
        }));
        assertEquals(50.0, g2.extras().attnLogitSoftcapping());
        assertEquals(30.0, g2.extras().finalLogitSoftcapping());
        assertEquals(256.0, g2.extras().queryPreAttnScalar());
        assertEquals(4096, g2.slidingWindow());
        assertEquals("gelu_pytorch_tanh", g2.hiddenAct());
        assertTrue(g2.tieWordEmbeddings());
        assertEquals(256, g2.headDim());                       // not hidden / heads
        assertEquals(256000, g2.vocabSize());
        assertEquals(List.of(2), g2.bosTokenIds());
        DecoderConfig g3 = DecoderConfig.read(edited("gemma3_tiny", o -> {
            o.remove("attn_logit_softcapping");
            o.remove("rope_local_base_freq");
            o.remove("vocab_size");
        }));
        assertEquals(262208, g3.vocabSize());
        assertEquals(null, g3.extras().attnLogitSoftcapping());
        assertEquals(10000.0, g3.extras().ropeLocalBaseFreq());
        assertEquals(1_000_000.0, DecoderConfig.read(edited("gemma3_tiny", o -> o.remove("rope_theta"))).ropeTheta());
    }

    /** A config that gives its rotary bases only per layer type would otherwise silently get the defaults. */
    @Test
    void ropeParametersWithoutRopeThetaAreRefusedByName() throws IOException {
        Path f = edited("gemma3_tiny", o -> {
            o.remove("rope_theta");
            o.putObject("rope_parameters").putObject("full_attention").put("rope_theta", 1e6);
        });
        LlmFixtures.assertConfigRefused(f, "rope_parameters");
    }

    @ParameterizedTest
    @CsvSource({"gemma2_tiny", "gemma3_tiny"})
    void writtenConfigReadsBackEqual(String fixture) {
        DecoderConfig c = DecoderConfig.read(LlmFixtures.path(fixture));
        Path f = tmp.resolve(fixture + ".json");
        c.write(f);
        assertEquals(c, DecoderConfig.read(f));
    }

    @ParameterizedTest(name = "{0} {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "gemma2_tiny | hidden_activation        | \"relu\"",
        "gemma2_tiny | query_pre_attn_scalar    | 0",
        "gemma2_tiny | query_pre_attn_scalar    | \"256\"",
        "gemma2_tiny | attn_logit_softcapping   | -1.0",
        "gemma2_tiny | final_logit_softcapping  | 0",
        "gemma2_tiny | final_logit_softcapping  | \"30\"",
        "gemma2_tiny | sliding_window           | 0",
        "gemma2_tiny | layer_types              | [\"full_attention\"]",
        "gemma2_tiny | layer_types              | [\"global\", \"full_attention\", \"full_attention\"]",
        "gemma3_tiny | rope_local_base_freq     | 0",
        "gemma3_tiny | sliding_window_pattern   | 0",
        "gemma3_tiny | use_bidirectional_attention | true",
        "gemma3_tiny | attn_logit_softcapping   | -5",
        "gemma3_tiny | rope_scaling             | {\"rope_type\": \"linear\"}",
    })
    void badValuesNameTheFileAndTheKey(String fixture, String key, String value) throws IOException {
        Path f = edited(fixture, o -> {
            try {
                o.set(key, JSON.readTree(value));
                if (key.equals("sliding_window_pattern")) {
                    o.remove("layer_types");       // the pattern is read only when layer_types is absent
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        LlmFixtures.assertConfigRefused(f, key);
    }
}
