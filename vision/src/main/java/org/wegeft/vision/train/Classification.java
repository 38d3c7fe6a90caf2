package org.wegeft.vision.train;

import java.util.Map;
import org.wegeft.nn.CrossEntropyLoss;
import org.wegeft.nn.Module;
import org.wegeft.nn.data.DataLoader;
import org.wegeft.nn.train.Evaluator;
import org.wegeft.nn.train.StepFunction;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.data.ImageBatch;

/** Image classification with an {@link ImageClassifier}: the training loss and top-1 accuracy. */
public final class Classification {
    private Classification() {}

    /** The trainer's step: cross-entropy (with label smoothing) of the model's logits on a batch. */
    public static StepFunction<ImageBatch> loss(float labelSmoothing) {
        CrossEntropyLoss ce = new CrossEntropyLoss(org.wegeft.tensor.Functional.IGNORE_INDEX, labelSmoothing);
        return (model, batch) -> {
            Tensor x = batch.images();                     // x: (B, 3, H, W)
            Tensor y = batch.labelTensor();                // y: (B)
            Tensor logits = vit(model).forward(x);         // (B, classes)
            return ce.apply(logits, y);
        };
    }

    /**
     * Top-1 accuracy of {@code model} over one pass of {@code loader} (epoch 0), in eval mode without gradient
     * recording; the model's previous train/eval mode is restored.
     */
    public static Accuracy evaluate(Module model, DataLoader<ImageBatch> loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        long correct = 0;
        long count = 0;
        try (var g = Grad.disabled(); var it = loader.epoch(0, 0)) {
            while (it.hasNext()) {
                ImageBatch b = it.next();
                try (var scope = TensorScope.open()) {
                    Tensor logits = vit(model).forward(b.images());   // (B, classes)
                    correct += countCorrect(logits.toFloatArray(), b.labels(), (int) logits.size(1));
                    count += b.batchSize();
                }
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return new Accuracy(correct, count);
    }

    /** An evaluator for the trainer: {@code {"accuracy": …, "count": …}}. */
    public static Evaluator evaluator(DataLoader<ImageBatch> loader) {
        return model -> {
            Accuracy a = evaluate(model, loader);
            return Map.of("accuracy", a.accuracy(), "count", (double) a.count());
        };
    }

    /** Rows of {@code logits} (B × classes, row-major) whose arg-max equals the label (first maximum wins). */
    static long countCorrect(float[] logits, int[] labels, int classes) {
        long ok = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            if (best == labels[i]) {
                ok++;
            }
        }
        return ok;
    }

    private static ImageClassifier vit(Module model) {
        if (model instanceof ImageClassifier v) {
            return v;
        }
        throw new IllegalArgumentException("image classification needs an ImageClassifier, got "
                + model.getClass().getSimpleName());
    }
}
