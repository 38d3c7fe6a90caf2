package org.wegeft.vision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;
import org.wegeft.nn.Module;
import org.wegeft.tensor.Tensor;

/**
 * A vision model that classifies images, whatever its family: what the fine-tuning recipes, the data pipeline and
 * the command line need of it. {@link VisionFamilies#fromPretrained} loads one from a model folder.
 */
public interface ImageClassifier {
    /** The model tree, under its checkpoint's names (what adapters are injected into and what trains). */
    Module module();

    /**
     * images: (B, C, H, W) → logits (B, classes), or, when the model has no head, the pooled features its head would
     * read.
     */
    Tensor forward(Tensor images);

    /** The input size and normalisation the model expects. */
    ImageInput input();

    /** Outputs of the classification head (0: none, features only). */
    int numClasses();

    /** Class names by index (empty when unknown). */
    List<String> labels();

    /**
     * Replaces the classification head(s) with fresh ones for {@code classes} outputs (an Identity when 0), e.g.
     * before fine-tuning on a new label set; the new head is trainable.
     */
    void resetHead(int classes, List<String> labels, RandomGenerator rng);

    /** The module names of the classification head(s): what trains whole next to an adapter. */
    List<String> headModules();

    /** The adapter targets used when none are given (module-name suffixes, as PEFT's {@code target_modules}). */
    List<String> defaultTargets();

    /**
     * Lets the norms' and the MLP activation's outputs go after forward and computes them again in backward.
     * @throws IllegalArgumentException when the family does not offer it and {@code on} is true
     */
    ImageClassifier recomputeActivations(boolean on);

    /** Writes {@code dir/config.json} and {@code dir/model.safetensors} in the family's own names. */
    void save(Path dir) throws IOException;
}
