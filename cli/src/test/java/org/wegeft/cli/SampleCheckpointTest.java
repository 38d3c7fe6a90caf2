package org.wegeft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.wegeft.tensor.ShardedSafetensors;
import org.wegeft.tensor.TensorInfo;

/** The embedded sample checkpoint (written by PyTorch, tools/fixtures/make_sample_checkpoint.py) reads here. */
class SampleCheckpointTest {
    private static final Path SAMPLE = Path.of("..", "examples", "data", "tiny-vit");

    @Test
    void pytorchWrittenShardedCheckpointReadsWithTimmNamesAndValues() {
        try (ShardedSafetensors ckpt = ShardedSafetensors.open(SAMPLE)) {
            assertEquals(2, ckpt.shards().size());
            assertEquals(32, ckpt.tensors().size());
            TensorInfo qkv = ckpt.info("blocks.1.attn.qkv.weight");
            assertEquals("BF16", qkv.dtype());
            assertEquals(192 * 64 * 2, qkv.bytes());
            // norms were written as exact ones and zeros by torch
            ByteBuffer w = ByteBuffer.wrap(ckpt.readBytes("blocks.0.norm1.weight")).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer b = ByteBuffer.wrap(ckpt.readBytes("blocks.0.norm1.bias")).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 64; i++) {
                assertEquals(1f, w.getFloat(4 * i));
                assertEquals(0f, b.getFloat(4 * i));
            }
            // bf16 weights: a non-trivial seeded draw, small like torch's randn * 0.02
            ByteBuffer h = ByteBuffer.wrap(ckpt.readBytes("head.weight")).order(ByteOrder.LITTLE_ENDIAN);
            double sumSq = 0;
            for (int i = 0; i < 640; i++) {
                float v = h.getFloat(4 * i);
                sumSq += v * v;
            }
            double rms = Math.sqrt(sumSq / 640);
            assertTrue(rms > 0.01 && rms < 0.03, "head.weight rms " + rms);
        }
    }
}
