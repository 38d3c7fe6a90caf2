package org.wegeft.cli.vit;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.ModelOptions;
import org.wegeft.nn.data.ArrowDataset;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.ImagePredictor;
import org.wegeft.vision.train.Accuracy;
import org.wegeft.vision.train.VitData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft vit eval --model DIR [--adapter DIR] --data FILE}: top-1 accuracy of a vision model folder (any
 * family) (optionally with
 * a PEFT adapter, whose saved head sets the class count) on an Arrow file, as one JSON line
 * {@code {"accuracy":…,"correct":…,"count":…}}.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluates a ViT (optionally with a WeGeFT/LoRA adapter) on an Arrow or Parquet image set; one JSON line.")
public final class VitEvalCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Mixin
    ModelOptions models = new ModelOptions();

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Arrow or Parquet file, glob or folder with image and label columns")
    @SuppressWarnings("NullAway.Init")
    Path data;

    @Mixin
    ImageColumns columns = new ImageColumns();

    @Option(names = "--batch", defaultValue = "256", description = "default: ${DEFAULT-VALUE}")
    int batch = 256;

    @Override
    public Integer call() {
        FlagCheck.atLeast(spec, "--batch", batch, 1);
        models.check(spec);
        ArrowDataset ds = VitData.open("--data", data, columns.image, columns.label);
        ImageClassifier vit = ImagePredictor.loadModel(models.model, models.adapter);
        int classesNeeded = ds.numClasses(columns.label);
        if (classesNeeded > vit.numClasses()) {
            throw new IllegalArgumentException("--data: labels go up to " + (classesNeeded - 1) + " but the model has "
                    + vit.numClasses() + " classes");
        }
        Accuracy a = VitData.evaluate(vit, VitData.Rows.all(ds), columns.image, columns.label, batch, 1);
        ObjectNode o = JsonMapper.builder().build().createObjectNode();
        o.put("accuracy", a.accuracy());
        o.put("correct", a.correct());
        o.put("count", a.count());
        // the class names: the model's own (id2label), else the data set's ClassLabel names
        List<String> names = vit.labels().isEmpty() ? ds.classNames(columns.label) : vit.labels();
        if (!names.isEmpty()) {
            names.forEach(o.putArray("class_names")::add);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(o);
        stdout.flush();
        return 0;
    }
}
