package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.DType;

/** A 2 GiB checkpoint opens and serves one tensor without reading the rest into memory. */
class SafetensorsMemoryTest {
    private static final long FILE_BYTES = 2L << 30;
    private static final int SMALL = 1 << 20; // floats: 4 MiB

    @TempDir
    Path dir;

    @Test
    void openingTwoGibFileAndReadingOneTensorKeepsResidentMemorySmall() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            System.out.println("SKIP openingTwoGibFileAndReadingOneTensorKeepsResidentMemorySmall: "
                    + "no /proc/self/status (not Linux), cannot measure resident memory");
            assumeTrue(false, "needs /proc/self/status");
        }
        Path file = dir.resolve("big.safetensors");
        try {
            long headerGuess = 256;
            long bigElements = (FILE_BYTES - 8 - headerGuess - 4L * SMALL) / 4;
            String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                    + "\"small\":{\"dtype\":\"F32\",\"shape\":[" + SMALL + "],\"data_offsets\":[0," + 4L * SMALL + "]},"
                    + "\"big\":{\"dtype\":\"F32\",\"shape\":[" + bigElements + "],\"data_offsets\":[" + 4L * SMALL
                    + "," + (4L * SMALL + 4 * bigElements) + "]}}";
            byte[] header = (json + " ".repeat((int) (headerGuess - json.length()))).getBytes(StandardCharsets.US_ASCII);
            long total = 8 + header.length + 4L * SMALL + 4 * bigElements;
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(total); // sparse: the big tensor stays holes of zeros
                ByteBuffer b = ByteBuffer.allocate(8 + header.length + 4 * SMALL).order(ByteOrder.LITTLE_ENDIAN);
                b.putLong(header.length).put(header);
                for (int i = 0; i < SMALL; i++) {
                    b.putFloat(i % 1000);
                }
                raf.write(b.array());
            }
            assertTrue(Files.size(file) >= (2L << 30) - (1 << 20), "file is about 2 GiB");
            System.gc();
            long before = rssBytes(status);
            double sum = 0;
            try (SafetensorsFile sf = SafetensorsFile.open(file); Storage s = sf.storage("small")) {
                assertEquals(DType.F32, s.dtype());
                assertEquals(bigElements * 4, sf.info("big").bytes());
                float[] values = new float[SMALL];
                HostAccess.read(s, 0, MemorySegment.ofArray(values)); // host backends: straight from the mapping
                for (float v : values) {
                    sum += v;
                }
                long after = rssBytes(status);
                long expected = 0;
                for (int i = 0; i < SMALL; i++) {
                    expected += i % 1000;
                }
                assertEquals((double) expected, sum);
                long grown = after - before;
                System.out.printf("2 GiB safetensors: resident memory grew by %.1f MiB%n", grown / 1048576.0);
                assertTrue(grown < 200L << 20, "resident memory grew by " + (grown >> 20) + " MiB");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long rssBytes(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS line in " + status);
    }
}
