package org.wegeft.vision.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.vision.VisionTransformer;
import org.wegeft.vision.VitConfig;

/** The held-out protocol on a tiny ViT: every rate reported, the best kept, ties to the earlier rate. */
class LrSelectionTest {
    @TempDir
    Path dir;

    @Test
    void everyRateIsValidatedAndTheFirstBestIsKept() throws IOException {
        new VisionTransformer(VitConfig.of(28, 7, 32, 2, 2, 10), 7).save(dir);
        ArrowDataset train = VitData.open("train", VitDataTest.TRAIN_FILE, "image", "label");
        VitData.Rows[] split = VitData.Rows.split(train, 100, 0);
        VitData.Rows small = new VitData.Rows(train, Arrays.copyOf(split[0].rows(), 64));
        FineTuningMethod wegeft = FineTuningMethods.named("wegeft");
        List<LrSelection.Trial> seen = new ArrayList<>();
        LrSelection.Trial best = LrSelection.select(new FineTuner("image", "label", 1, null, false), dir, wegeft, 4,
                List.of("attn.proj"), small, split[1], List.of(1e-3, 1e-1, 1e-3),
                lr -> VitFineTuning.recipe(1, 2, 32, lr, 0), seen::add);
        assertEquals(List.of(1e-3, 1e-1, 1e-3), seen.stream().map(LrSelection.Trial::lr).toList());
        LrSelection.Trial first = seen.stream().reduce((a, b) -> b.accuracy() > a.accuracy() ? b : a).orElseThrow();
        assertEquals(first, best);
        assertEquals(seen.get(0).accuracy(), seen.get(2).accuracy(), "the same rate and seed train the same");
    }

    @Test
    void anEmptyGridIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LrSelection.select(
                new FineTuner("image", "label", 1, null, false), dir, FineTuningMethods.named("lora"), 4,
                List.of("attn.proj"), null, null, List.of(), lr -> VitFineTuning.recipe(1, 1, 8, lr, 0), t -> { }));
    }
}
