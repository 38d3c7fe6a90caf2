package org.wegeft.kernels.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpaceTest {
    @TempDir
    Path dir;

    @Test
    void aWriteLargerThanTheFreeSpaceIsRefusedNamingFolderNeedAndFree() {
        Path out = dir.resolve("not/yet/there");
        Path[] asked = new Path[1];
        NotEnoughSpaceException e = assertThrows(NotEnoughSpaceException.class,
                () -> DiskSpace.require(out, 2_500_000_000L, "the merged model", folder -> {
                    asked[0] = folder;
                    return 300L << 20;
                }));
        assertEquals("not enough free space in " + out.toAbsolutePath() + " for the merged model: it needs 2.3 GiB"
                + " (2500000000 bytes), 300.0 MiB (314572800 bytes) is free", e.getMessage());
        assertEquals(dir.toAbsolutePath(), asked[0], "the nearest existing folder is asked");
        assertEquals(2_500_000_000L, e.needed());
        assertEquals(314_572_800L, e.usable());
        assertEquals(out.toAbsolutePath().toString(), e.source());
    }

    @Test
    void aWriteThatFitsPassesAndTheRealFigureIsThatOfTheFileStore() throws IOException {
        DiskSpace.require(dir, 100, "x", folder -> 100);
        long usable = Files.getFileStore(dir).getUsableSpace();
        DiskSpace.require(dir, 1, "x");
        assertThrows(NotEnoughSpaceException.class, () -> DiskSpace.require(dir, usable + (1L << 40), "x"));
    }

    @Test
    void bytesReadInBinaryUnits() {
        assertEquals("512 B", DiskSpace.human(512));
        assertEquals("1.5 KiB", DiskSpace.human(1536));
        assertEquals("648.0 MiB", DiskSpace.human(648L << 20));
        assertTrue(DiskSpace.human(Long.MAX_VALUE).endsWith(" PiB"));
    }
}
