package org.wegeft.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.FineTuningMethods;
import org.wegeft.vision.train.FineTuneResult;
import org.wegeft.vision.train.FineTuner;
import org.wegeft.vision.train.Recipe;
import org.wegeft.vision.train.VitData;
import org.wegeft.vision.train.VitFineTuning;

/** Fine-tunes the committed ViT on the embedded digits with WeGeFT and prints its test accuracy. */
public final class FineTuneVit {
    public static void main(String[] args) throws IOException {
        Path model = Path.of("examples/models/vit-fmnist");
        ArrowDataset train = VitData.open("train", Path.of("examples/data/digits-train.arrow"), "image", "label");
        ArrowDataset test = VitData.open("test", Path.of("examples/data/digits-test.arrow"), "image", "label");

        FineTuningMethod wegeft = FineTuningMethods.named("wegeft");
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Recipe recipe = VitFineTuning.recipe(epochs, 0, 64, VitFineTuning.defaultLr(wegeft), 0);
        FineTuner tuner = new FineTuner("image", "label", 1, System.err, System.console() != null);
        // rank 16 on attn.proj, one (phi, psi) pair tied across the blocks, a new 10-class head
        FineTuneResult r = tuner.run(model, wegeft, 16, List.of("attn.proj"), train, test, recipe, null);

        System.out.printf("WeGeFT: %,d trainable parameters of %,d, test accuracy %.2f %% (%d images)%n",
                r.trainableParams(), r.totalParams(), 100 * r.testAccuracy(), r.testCount());
    }
}
