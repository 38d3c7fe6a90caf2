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

    /**
     * Rows per class given to training: exactly the quota where it is whole; leftovers go to the largest remainders,
     * a tie to the lower class.
     */
    @ParameterizedTest(name = "{0} rows per class, {1} to train -> {2}")
    @CsvSource(delimiter = '|', value = {
        "30,10,60 | 50 | 15,5,30",   // exact quotas
        "3,3,4    | 5  | 2,1,2",     // exact 1.5, 1.5, 2.0
    })
    void stratifiedSplitTakesTheQuotaPerClass(String perClass, int toTrain, String expected) {
        int[] rows = ints(perClass);
        var it = items(rows);
        boolean[] train = ConvertData.stratifiedSplit(it, toTrain, 0);
        int[] count = new int[rows.length];
        for (int i = 0; i < train.length; i++) {
            if (train[i]) {
                count[it.get(i).label()]++;
            }
        }
        assertArrayEquals(ints(expected), count);
    }

    private static int[] ints(String csv) {
        return java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @Test
    void stratifiedSplitIsSeeded() {
        var it = items(50, 50);
        assertArrayEquals(ConvertData.stratifiedSplit(it, 40, 1), ConvertData.stratifiedSplit(it, 40, 1));
        assertFalse(java.util.Arrays.equals(ConvertData.stratifiedSplit(it, 40, 1),
                ConvertData.stratifiedSplit(it, 40, 2)));
    }
}
