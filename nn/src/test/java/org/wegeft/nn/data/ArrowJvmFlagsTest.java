package org.wegeft.nn.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Arrow without its JVM flags is told apart from bad data, and the message names the flags. */
class ArrowJvmFlagsTest {
    /** What Arrow 19 throws on Java 25 when java.nio is not opened and Unsafe's memory access is not allowed. */
    static final UnsupportedOperationException ARROW = new UnsupportedOperationException(
            "sun.misc.Unsafe or java.nio.DirectByteBuffer.<init>(long, int) not available");

    @Test
    void arrowsMissingMemoryAccessIsRecognisedThroughCauses() {
        assertTrue(ArrowLoad.lacksMemoryAccess(ARROW));
        assertTrue(ArrowLoad.lacksMemoryAccess(new RuntimeException("reading a batch", ARROW)));
        assertFalse(ArrowLoad.lacksMemoryAccess(new IOException("unexpected end of stream")));
        assertFalse(ArrowLoad.lacksMemoryAccess(new UnsupportedOperationException("dictionary encoding")));
    }

    @Test
    void theMessageNamesBothFlags() {
        var e = new MissingJvmFlagsException(ArrowLoad.JVM_FLAGS, "reading Arrow data (x.arrow)", ARROW);
        assertTrue(e.getMessage().contains("--add-opens=java.base/java.nio=ALL-UNNAMED")
                && e.getMessage().contains("--sun-misc-unsafe-memory-access=allow"), e.getMessage());
    }
}
