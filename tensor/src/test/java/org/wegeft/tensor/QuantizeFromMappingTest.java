package org.wegeft.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.kernels.DType;
import org.wegeft.kernels.QuantFormat;
import org.wegeft.kernels.QuantizedWeight;
import org.wegeft.kernels.Quantizers;

/**
 * A bf16 weight quantized straight from its memory-mapped checkpoint gives the codes of the same weight quantized
 * from a heap copy, and the mapped pages it read leave the process's resident set afterwards (Linux's RssFile), while
 * plainly reading a second tensor of the same size keeps its pages resident.
 */
class QuantizeFromMappingTest {
    private static final int ROWS = 2048;
    private static final int COLS = 4096;   // 16 MiB of bf16 per tensor

    @TempDir
    Path dir;

    @Test
    void quantizingFromAMappingGivesItsPagesBack() throws IOException {
        Path status = Path.of("/proc/self/status");
        assumeTrue(Files.isReadable(status) && rssFile(status) >= 0, "needs Linux's /proc/self/status RssFile");
        Path file = dir.resolve("w.safetensors");
        SplittableRandom rng = new SplittableRandom(5);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (Tensor a = Tensor.randn(rng, ROWS, COLS); Tensor b = Tensor.randn(rng, ROWS, COLS)) {
            tensors.put("a", a.to(DType.BF16));
            tensors.put("b", b.to(DType.BF16));
            SafetensorsWriter.save(file, tensors, Map.of());
        } finally {
            tensors.values().forEach(Tensor::close);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            byte[] heapCodes;
            try (Storage s = f.storage("a"); Tensor mapped = Tensor.wrap(s, ROWS, COLS)) {
                short[] copy = mapped.seg().asSlice(0, 2L * ROWS * COLS).toArray(ValueLayout.JAVA_SHORT);
                QuantizedWeight fromHeap = Quantizers.nf4(DType.BF16, MemorySegment.ofArray(copy), ROWS, COLS, DType.BF16);
                heapCodes = fromHeap.codes().toArray(ValueLayout.JAVA_BYTE);
                s.releaseMappedPages();
            }
            long before = rssFile(status);
            try (Storage s = f.storage("a"); Tensor mapped = Tensor.wrap(s, ROWS, COLS);
                 Tensor q = mapped.quantize(QuantFormat.NF4, false)) {
                long grown = rssFile(status) - before;
                assertArrayEquals(heapCodes, q.quantizedWeight().codes().toArray(ValueLayout.JAVA_BYTE));
                assertTrue(grown < 4L << 20, "the mapped pages stayed resident: RssFile grew by " + (grown >> 10)
                        + " KiB");
            }
            long beforePlain = rssFile(status);
            try (Storage s = f.storage("b"); Tensor mapped = Tensor.wrap(s, ROWS, COLS)) {
                double sum = 0;
                for (short v : mapped.seg().asSlice(0, 2L * ROWS * COLS).toArray(ValueLayout.JAVA_SHORT)) {
                    sum += v;
                }
                long grown = rssFile(status) - beforePlain;
                assertTrue(grown > 12L << 20, "a plain read should keep its pages (the measure works): "
                        + (grown >> 10) + " KiB, sum " + sum);
            }
        }
    }

    /** RssFile of /proc/self/status in bytes, or -1 when the kernel does not report it. */
    private static long rssFile(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("RssFile:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        return -1;
    }
}
