package org.wegeft.cli.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The converter's pure parts (the Debian sources are not needed). */
class ConvertDataTest {
    @ParameterizedTest
    @CsvSource({"0,0", "1,16", "8,128", "15,239", "16,255"})
    void digitsPixelsScaleToByteRangeRoundingHalfUp(int v, int expected) {
        assertEquals(expected, ConvertData.scale16(v));
    }

    @Test
    void digitsPixelsOutsideTheRangeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ConvertData.scale16(17));
    }

    private static List<ConvertData.Item> items(int... perClass) {
        List<ConvertData.Item> out = new ArrayList<>();
        for (int c = 0; c < perClass.length; c++) {
            for (int k = 0; k < perClass[c]; k++) {
                out.add(new ConvertData.Item(new byte[1], 1, 1, c, "x" + out.size()));
            }
        }
        return out;
    }

    @Test
    void stratifiedSplitTakesExactlyTheQuotaPerClass() {
        var it = items(30, 10, 60); // 100 rows, 50 to train: 15, 5, 30
        boolean[] train = ConvertData.stratifiedSplit(it, 50, 0);
        int[] count = new int[3];
        for (int i = 0; i < train.length; i++) {
            if (train[i]) {
                count[it.get(i).label()]++;
            }
        }
        assertArrayEquals(new int[] {15, 5, 30}, count);
    }

    @Test
    void stratifiedSplitGivesLeftoversToLargestRemainders() {
        var it = items(3, 3, 4); // 10 rows, 5 to train: exact 1.5, 1.5, 2.0 → 2, 1, 2 (tie to the lower class)
        boolean[] train = ConvertData.stratifiedSplit(it, 5, 0);
        int[] count = new int[3];
        for (int i = 0; i < train.length; i++) {
            if (train[i]) {
                count[it.get(i).label()]++;
            }
        }
        assertArrayEquals(new int[] {2, 1, 2}, count);
    }

    @Test
    void stratifiedSplitIsSeeded() {
        var it = items(50, 50);
        assertArrayEquals(ConvertData.stratifiedSplit(it, 40, 1), ConvertData.stratifiedSplit(it, 40, 1));
        assertFalse(java.util.Arrays.equals(ConvertData.stratifiedSplit(it, 40, 1),
                ConvertData.stratifiedSplit(it, 40, 2)));
    }
}
