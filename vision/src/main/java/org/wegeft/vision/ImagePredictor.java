package org.wegeft.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.wegeft.peft.PeftModel;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.SafetensorsFile;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.data.ImageDecoder;
import org.wegeft.vision.data.ImageFileException;
import org.wegeft.vision.data.PilFilter;
import org.wegeft.vision.data.Preprocessor;
import org.wegeft.vision.data.PreprocessorConfig;
import org.wegeft.vision.data.PreprocessorConfigException;
import org.wegeft.vision.data.RgbImage;

/**
 * Classifies image files with a model of any {@link VisionFamilies vision family} as Hugging Face's
 * image-classification pipeline does: the file opened upright in RGB, the model folder's own preprocessing
 * ({@code preprocessor_config.json}, else the model's input size, interpolation, mean and std), the model in eval
 * mode, softmax over the logits.
 *
 * <pre>
 * var clf = ImagePredictor.load(Path.of("vit-base-patch16-224"), null);
 * for (var p : clf.top(Path.of("cat.jpg"), 5)) System.out.println(p.label() + " " + p.prob());
 * </pre>
 */
public final class ImagePredictor {
    /** One class: its {@code id2label} name (the id as text when there is none), id and probability. */
    public record Prediction(String label, int id, double prob) {}

    private final ImageClassifier model;
    private final Preprocessor preprocessor;
    private final ImageDecoder decoder = new ImageDecoder();

    /**
     * Puts {@code model} in eval mode.
     * @param preprocessor must produce the model's input size
     */
    public ImagePredictor(ImageClassifier model, Preprocessor preprocessor) {
        this.model = model;
        this.preprocessor = preprocessor;
        model.module().eval();
    }

    /** The model in {@code modelDir} (with the adapter in {@code adapterDir} when given) and its preprocessing. */
    public static ImagePredictor load(Path modelDir, @Nullable Path adapterDir) {
        ImageClassifier m = loadModel(modelDir, adapterDir);
        return new ImagePredictor(m, new Preprocessor(preprocessing(modelDir, m.input())));
    }

    /**
     * Loads a model folder and, when {@code adapterDir} is given, a PEFT adapter onto it; an adapter that saves a
     * classification head of another class count replaces the model's head first.
     */
    public static ImageClassifier loadModel(Path modelDir, @Nullable Path adapterDir) {
        ImageClassifier m = VisionFamilies.fromPretrained(modelDir);
        if (adapterDir != null) {
            int classes = adapterHeadClasses(adapterDir, m.headModules().get(0));
            if (classes > 0 && classes != m.numClasses()) {
                m.resetHead(classes, List.of(), new SplittableRandom(0));
            }
            PeftModel.fromPretrained(m.module(), adapterDir);
        }
        return m;
    }

    /**
     * Rows of the adapter's saved head weight (its class count; {@code head}: the head's module name), or 0 when it
     * saves none (or has no file).
     */
    static int adapterHeadClasses(Path adapterDir, String head) {
        Path file = adapterDir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(file)) {
            return 0; // loading the adapter names the missing file
        }
        String key = "base_model.model." + head + ".weight";
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.contains(key) ? Math.toIntExact(f.info(key).shape()[0]) : 0;
        }
    }

    /**
     * The folder's {@code preprocessor_config.json} when present, else resize to the config's image size with its
     * interpolation, rescale by 1/255 and normalise with its mean and std. Fails naming the file when its output is
     * not the model's input size.
     */
    public static PreprocessorConfig preprocessing(Path modelDir, ImageInput in) {
        Path file = modelDir.resolve("preprocessor_config.json");
        int s = in.size();
        if (!Files.isRegularFile(file)) {
            PilFilter f = PilFilter.ofName(in.interpolation());
            return PreprocessorConfig.square(s, f != null ? f : PilFilter.BICUBIC, in.mean(), in.std());
        }
        PreprocessorConfig p = PreprocessorConfig.read(file);
        if (p.doCenterCrop()) {
            if (p.cropHeight() != s || p.cropWidth() != s) {
                throw new PreprocessorConfigException(file.toString(), "crop_size", "gives " + p.cropHeight() + "x"
                        + p.cropWidth() + " images but the model takes " + s + "x" + s);
            }
        } else if (!p.doResize() || p.size().shortestEdge() > 0 || p.size().height() != s || p.size().width() != s) {
            throw new PreprocessorConfigException(file.toString(), "size", "gives images of another size than the "
                    + "model's " + s + "x" + s + " (" + p.size() + ", do_resize " + p.doResize() + ", no centre crop)");
        }
        return p;
    }

    public ImageClassifier model() {
        return model;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** Reads an image file upright in RGB. */
    public RgbImage read(Path image) {
        try {
            return decoder.read(image);
        } catch (NoSuchFileException e) {
            throw new ImageFileException(image.toString(), "no such file", e);
        } catch (IOException e) {
            throw new ImageFileException(image.toString(), "cannot be read as an image: " + e.getMessage(), e);
        }
    }

    /** Class probabilities (softmax of the logits) for {@code img}. */
    public double[] probabilities(RgbImage img) {
        float[] x = preprocessor.pixelValues(img);
        int s = model.input().size();
        float[] logits;
        try (var g = Grad.disabled(); var scope = TensorScope.open()) {
            logits = model.forward(Tensor.of(x, 1, 3, s, s)).toFloatArray();   // (1, classes)
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The {@code k} most probable classes for {@code img}, most probable first (ties by id). */
    public List<Prediction> top(RgbImage img, int k) {
        double[] p = probabilities(img);
        // id2label names, unless an adapter's head changed the class count
        List<String> labels = model.labels().size() == p.length ? model.labels() : List.of();
        List<Prediction> all = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            all.add(new Prediction(i < labels.size() ? labels.get(i) : Integer.toString(i), i, p[i]));
        }
        all.sort(Comparator.comparingDouble(Prediction::prob).reversed().thenComparingInt(Prediction::id));
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    /** {@link #top(RgbImage, int)} of an image file. */
    public List<Prediction> top(Path image, int k) {
        return top(read(image), k);
    }
}
