package org.wegeft.nn.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Inputs the parser fuzzer (examples' ParserFuzzTest) found crashing the Arrow loader, now typed rejections. */
class FuzzRegressionTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "arrow-huge-body.arrow", // a record batch declaring a ~10^18-byte body: was OutOfMemoryError
        "arrow-huge-metadata.arrow", // a stream message declaring ~2 GB of metadata: was OutOfMemoryError
        "arrow-huge-string.arrow", // a string offset of 2e9: a 2 GB allocation before the bounds check (hang)
    })
    void aFuzzFoundArrowFileIsRejectedWithDatasetException(String name) throws URISyntaxException {
        Path file = Path.of(getClass().getResource("/fuzz/" + name).toURI());
        var e = assertThrows(DatasetException.class, () -> ArrowDataset.open(file, ColumnSpec.image("pixels"),
                ColumnSpec.integer("label"), ColumnSpec.string("text")));
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }
}
