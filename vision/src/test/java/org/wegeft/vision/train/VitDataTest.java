package org.wegeft.vision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wegeft.nn.data.ArrowDataset;

class VitDataTest {
    static final Path TRAIN_FILE = Path.of("..", "examples", "data", "digits-train.arrow");
    private static final ArrowDataset TRAIN = VitData.open("--train", TRAIN_FILE, "image", "label");

    @ParameterizedTest
    @ValueSource(ints = {1, 200, 999})
    void heldOutSplitPartitionsEveryRowOnceAndIsSeeded(int held) {
        VitData.Rows[] a = VitData.Rows.split(TRAIN, held, 3);
        VitData.Rows[] b = VitData.Rows.split(TRAIN, held, 3);
        assertEquals(1000 - held, a[0].size());
        assertEquals(held, a[1].size());
        int[] all = IntStream.concat(Arrays.stream(a[0].rows()), Arrays.stream(a[1].rows())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 1000).toArray(), all);
        assertArrayEquals(a[1].rows(), b[1].rows());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1000, -5})
    void holdingOutNothingOrEverythingIsRefused(int held) {
        assertThrows(IllegalArgumentException.class, () -> VitData.Rows.split(TRAIN, held, 0));
    }
}
