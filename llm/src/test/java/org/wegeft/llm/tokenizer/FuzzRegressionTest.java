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
    })
    void aFuzzFoundTokenizerIsRejectedWithTokenizerException(String name) throws URISyntaxException {
        Path dir = Path.of(getClass().getResource("/fuzz/" + name).toURI());
        var e = assertThrows(TokenizerException.class, () -> HfTokenizer.load(dir));
        assertTrue(e.getMessage().contains("tokenizer"), e.getMessage());
    }
}
