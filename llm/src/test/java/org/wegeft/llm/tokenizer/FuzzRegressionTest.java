package org.wegeft.llm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokenizer folders the parser fuzzer (examples' ParserFuzzTest) found crashing the loader. */
class FuzzRegressionTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "tokenizer-null-location", // a JSON error without a location: was NullPointerException
        "tokenizer-unk-not-in-vocab", // model.unk_token not in the vocabulary: was RuntimeException from native encode
        "tokenizer-huge-id", // a token id of 2e9: was an 8 GB table allocation (OutOfMemoryError)
        "tokenizer-inconsistent-vocab", // native encode gave an id the vocabulary lacks: was IllegalArgumentException
        "tokenizer-deep-nesting", // ~900 levels of nesting: the native tokenizer overflowed its stack (JVM abort)
        "tokenizer-prefix-longer-than-merge", // a merge shorter than continuing_subword_prefix: native panic (JVM abort)
        "tokenizer-decoder-number-out-of-range", // a decoder's "start": -1: native panic on deserialising (JVM abort)
    })
    void aFuzzFoundTokenizerIsRejectedWithTokenizerException(String name) throws URISyntaxException {
        Path dir = Path.of(getClass().getResource("/fuzz/" + name).toURI());
        var e = assertThrows(TokenizerException.class, () -> {
            try (HfTokenizer t = HfTokenizer.load(dir)) {
                t.encode("hello world abc </s>", true); // some files load and fail only when used
            }
        });
        assertTrue(e.getMessage().contains("tokenizer"), e.getMessage());
    }
}
