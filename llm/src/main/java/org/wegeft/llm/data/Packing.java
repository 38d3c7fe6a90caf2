package org.wegeft.llm.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs examples into fixed-length blocks, as Hugging Face's {@code run_clm} {@code group_texts}: all ids (and
 * labels) concatenated in order, then cut into blocks of {@code blockSize}; the remainder shorter than a block is
 * dropped. Use with EOS after each text so documents stay separated. Blocks need no padding.
 */
public final class Packing {
    private Packing() {
    }

    /**
     * @throws IllegalArgumentException when the examples hold fewer than {@code blockSize} tokens in all
     */
    public static List<Example> pack(List<Example> examples, int blockSize) {
        if (blockSize < 2) {
            throw new IllegalArgumentException("block size must be at least 2, got " + blockSize);
        }
        long total = 0;
        for (Example e : examples) {
            total += e.length();
        }
        if (total < blockSize) {
            throw new IllegalArgumentException("packing needs at least " + blockSize + " tokens, the data has "
                    + total);
        }
        List<Example> out = new ArrayList<>();
        int[] ids = new int[blockSize];
        int[] labels = new int[blockSize];
        int fill = 0;
        for (Example e : examples) {
            int[] eIds = e.ids();
            int[] eLabels = e.labels();
            int pos = 0;
            while (pos < eIds.length) {
                int n = Math.min(blockSize - fill, eIds.length - pos);
                System.arraycopy(eIds, pos, ids, fill, n);
                System.arraycopy(eLabels, pos, labels, fill, n);
                fill += n;
                pos += n;
                if (fill == blockSize) {
                    out.add(new Example(ids, labels));
                    fill = 0;
                }
            }
        }
        return out;
    }
}
