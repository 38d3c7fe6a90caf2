package org.wegeft.llm.tokenizer;

import java.util.Arrays;
import java.util.Map;

/**
 * The special tokens of a tokenizer. An id of {@code -1} means the tokenizer has no such token.
 *
 * @param bos beginning-of-sequence id
 * @param eos the primary end-of-sequence id (what is appended to training answers)
 * @param eosIds every id that ends generation ({@code generation_config.json} may list several); contains
 *     {@code eos} when {@code eos >= 0}
 * @param pad padding id
 * @param unk unknown-token id
 * @param byContent every special token's content → id (added tokens marked {@code special})
 */
public record SpecialTokens(int bos, int eos, int[] eosIds, int pad, int unk, Map<String, Integer> byContent) {
    public SpecialTokens {
        eosIds = eosIds.clone();
        byContent = Map.copyOf(byContent);
    }

    @Override
    public int[] eosIds() {
        return eosIds.clone();
    }

    /** Whether {@code id} ends generation. */
    public boolean isEos(int id) {
        for (int e : eosIds) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code id} is one of the special tokens. */
    public boolean isSpecial(int id) {
        return byContent.containsValue(id);
    }

    /** The id to pad with: {@code pad}, else {@code eos}, else 0 (padded positions are masked anyway). */
    public int padOrFallback() {
        return pad >= 0 ? pad : eos >= 0 ? eos : 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecialTokens s && bos == s.bos && eos == s.eos && Arrays.equals(eosIds, s.eosIds)
                && pad == s.pad && unk == s.unk && byContent.equals(s.byContent);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Integer.hashCode(bos) + Integer.hashCode(eos)) + Arrays.hashCode(eosIds);
    }

    @Override
    public String toString() {
        return "SpecialTokens[bos=" + bos + ", eos=" + eos + ", eosIds=" + Arrays.toString(eosIds) + ", pad=" + pad
                + ", unk=" + unk + ", " + byContent.keySet() + "]";
    }
}
