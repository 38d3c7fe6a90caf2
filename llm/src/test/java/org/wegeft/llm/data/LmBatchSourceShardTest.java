package org.wegeft.llm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wegeft.llm.CausalLM;
import org.wegeft.llm.DecoderConfig;
import org.wegeft.llm.train.CausalLmTraining;
import org.wegeft.tensor.Tensor;

/**
 * {@link LmBatchSource#shard}: the replicas' rows of each batch are the batch's rows, and the mean of their scaled
 * losses is the whole batch's loss, although their rows hold different numbers of predicted tokens.
 */
class LmBatchSourceShardTest {
    private static final int VOCAB = 50;

    /** Ten examples of 3 to 12 tokens, the first part of each masked (a prompt) for a length of its own. */
    private static List<Example> examples() {
        SplittableRandom r = new SplittableRandom(3);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = 3 + r.nextInt(10);
            int[] ids = new int[n];
            int[] labels = new int[n];
            int prompt = r.nextInt(n - 1);
            for (int t = 0; t < n; t++) {
                ids[t] = 1 + r.nextInt(VOCAB - 1);
                labels[t] = t <= prompt ? Example.IGNORE : ids[t];
            }
            out.add(new Example(ids, labels));
        }
        return out;
    }

    @Test
    void theReplicasRowsAreTheBatchRowsAndTheirScaledLossesAverageToTheBatchLoss() {
        LmBatchSource whole = new LmBatchSource(examples(), 4, 0, true);      // batches of 4, 4, 2 rows
        int replicas = 2;
        List<Iterator<LmBatch>> shards = new ArrayList<>();
        for (int k = 0; k < replicas; k++) {
            shards.add(whole.shard(k, replicas).epoch(1, 5));
        }
        try (CausalLM lm = new CausalLM(DecoderConfig.tiny(VOCAB, 16, 32, 1, 2, 1), 7)) {
            Iterator<LmBatch> all = whole.epoch(1, 5);
            int batches = 0;
            while (all.hasNext()) {
                batches++;
                try (LmBatch b = all.next(); Tensor loss = CausalLmTraining.loss(lm, b)) {
                    List<Integer> rowIds = new ArrayList<>();
                    double mean = 0;
                    double scales = 0;
                    for (Iterator<LmBatch> shard : shards) {
                        try (LmBatch s = shard.next(); Tensor l = CausalLmTraining.objective().loss(lm, s)) {
                            mean += l.item() / replicas;
                            scales += s.lossScale();
                            for (int v : firstColumn(s)) {
                                rowIds.add(v);
                            }
                        }
                    }
                    assertArrayEquals(firstColumn(b), rowIds.stream().mapToInt(Integer::intValue).toArray(),
                            "the replicas' rows, in rank order, are the batch's");
                    assertEquals(replicas, scales, 1e-12, "the scales average to 1");
                    assertEquals(loss.item(), mean, 1e-5 * Math.abs(loss.item()), "batch " + batches);
                }
            }
            assertEquals(3, batches);
            assertTrue(shards.stream().noneMatch(Iterator::hasNext));
        }
    }

    @Test
    void aBatchWithFewerRowsThanReplicasIsRefusedNamingTheFlags() {
        LmBatchSource whole = new LmBatchSource(examples(), 4, 0, true);      // the last batch has 2 rows
        var e = assertThrows(IllegalArgumentException.class, () -> whole.shard(0, 3));
        assertTrue(e.getMessage().contains("--replicas 3") && e.getMessage().contains("--batch 4"), e.getMessage());
    }

    /** The first token of each row. */
    private static int[] firstColumn(LmBatch b) {
        int[] ids = b.inputIds().toIntArray();
        int rows = b.batchSize();
        int t = ids.length / rows;
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = ids[i * t];
        }
        return out;
    }
}
