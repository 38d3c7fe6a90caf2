package org.wegeft.cli.vit;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.wegeft.cli.FlagCheck;
import org.wegeft.cli.ModelOptions;
import org.wegeft.vision.ImagePredictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wegeft vit predict --model DIR [--adapter DIR] --image FILE… [--top K]}: one JSON line per image,
 * {@code {"image": FILE, "top": [{"label": …, "id": …, "prob": …}, …]}}, the K most probable classes.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classifies image files with a ViT (optionally with a WeGeFT/LoRA adapter), preprocessed as "
                + "the model's preprocessor_config.json says; one JSON line per image.")
public final class VitPredictCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Mixin
    ModelOptions models = new ModelOptions();

    @Option(names = "--image", required = true, arity = "1..*", paramLabel = "FILE",
            description = "image files (JPEG, PNG, …)")
    @SuppressWarnings("NullAway.Init")
    List<Path> images;

    @Option(names = "--top", defaultValue = "5", paramLabel = "K", description = "classes per image (default: "
            + "${DEFAULT-VALUE})")
    int top = 5;

    @Override
    public Integer call() {
        FlagCheck.atLeast(spec, "--top", top, 1);
        models.check(spec);
        FlagCheck.files(spec, "--image", images);
        ImagePredictor classifier = ImagePredictor.load(models.model, models.adapter);
        PrintWriter stdout = spec.commandLine().getOut();
        for (Path image : images) {
            ObjectNode o = JSON.createObjectNode();
            o.put("image", image.toString());
            ArrayNode list = o.putArray("top");
            for (ImagePredictor.Prediction p : classifier.top(image, top)) {
                list.addObject().put("label", p.label()).put("id", p.id()).put("prob", p.prob());
            }
            stdout.println(o);
            stdout.flush();
        }
        return 0;
    }
}
