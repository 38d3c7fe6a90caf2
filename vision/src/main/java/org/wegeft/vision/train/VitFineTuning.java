package org.wegeft.vision.train;

import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.wegeft.peft.FineTuningMethod;
import org.wegeft.peft.LearningRates;
import org.wegeft.peft.MethodOptions;
import org.wegeft.peft.PeftModel;
import org.wegeft.vision.ImageClassifier;

/**
 * How a pretrained vision model is adapted with any registered {@link FineTuningMethod} (the paper's ViT setting):
 * rank-r adapters on the target names with alpha = r and no dropout, one set of tensors per target name tied across
 * blocks where the method shares tensors, and the (new) classification head ({@code head} in timm's layout,
 * {@code classifier} in Hugging Face's) trained whole in every method (an adapter's {@code modules_to_save}, the
 * probe's only trainable part).
 */
public final class VitFineTuning {
    /** The classification head's module name in timm's layout. */
    public static final String HEAD = "head";

    private static final LearningRates LEARNING_RATES = new LearningRates(VitFineTuning.class,
            "learning-rates.properties", "wegeft demo vit --select-lr");
    /** The demo's common placement: rank {@value #DEMO_RANK} on {@link #DEMO_TARGETS}. */
    public static final int DEMO_RANK = 16;
    /** The output projection of every attention block (timm's layout). */
    public static final List<String> DEMO_TARGETS = List.of("attn.proj");
    private static final String PLACEMENTS = "demo-placements.properties";
    private static final Properties PLACED = LearningRates.read(VitFineTuning.class, PLACEMENTS);

    /**
     * Where a method's adapters go in the digits demo, and the learning rate chosen for them there.
     *
     * @param rank    adapter rank
     * @param targets adapter target module names
     * @param lr      peak learning rate
     */
    public record Placement(int rank, List<String> targets, double lr) {
        public Placement {
            targets = List.copyOf(targets);
        }
    }

    private VitFineTuning() {
    }

    /**
     * The learning rate {@code method} was tuned to on the digits task (AdamW, batch 64, 20 epochs, the schedule of
     * {@link #recipe}; chosen on held-out training images).
     *
     * @throws IllegalArgumentException when none is recorded for {@code method}
     */
    public static double defaultLr(FineTuningMethod method) {
        return LEARNING_RATES.of(method);
    }

    /**
     * Where the digits demo puts {@code method}'s adapters: the placement {@code demo-placements.properties} (next to
     * this class) records for it (a rank, targets and the rate chosen for them on held-out training images), else
     * rank {@value #DEMO_RANK} on {@link #DEMO_TARGETS} at {@link #defaultLr}.
     *
     * @throws IllegalStateException when the file's entry for the method is incomplete or malformed, naming the key
     */
    public static Placement demoPlacement(FineTuningMethod method) {
        String name = method.name();
        if (PLACED.stringPropertyNames().stream().noneMatch(k -> k.startsWith(name + "."))) {
            return new Placement(DEMO_RANK, DEMO_TARGETS, defaultLr(method));
        }
        String bad = PLACEMENTS + ": bad placement for method '" + name + "': ";
        int rank;
        double lr;
        try {
            rank = Integer.parseInt(required(name + ".rank"));
            lr = Double.parseDouble(required(name + ".lr"));
        } catch (NumberFormatException e) {
            throw new IllegalStateException(bad + e.getMessage(), e);
        }
        List<String> targets = Arrays.stream(required(name + ".targets").split(",")).map(String::trim)
                .filter(t -> !t.isEmpty()).toList();
        if (rank < 1 || targets.isEmpty() || !(lr > 0)) {
            throw new IllegalStateException(bad + "rank " + rank + ", targets " + targets + ", lr " + lr);
        }
        return new Placement(rank, targets, lr);
    }

    private static String required(String key) {
        String v = PLACED.getProperty(key);
        if (v == null) {
            throw new IllegalStateException(PLACEMENTS + ": key '" + key + "' is missing");
        }
        return v;
    }

    /** The fine-tuning schedule: AdamW with weight decay 0.01, 10 % linear warm-up then cosine, no label smoothing. */
    public static Recipe recipe(int epochs, long maxSteps, int batchSize, double lr, long seed) {
        return new Recipe(epochs, maxSteps, batchSize, lr, 0.1, 0.01, 0f, seed);
    }

    /** The options at rank r on {@code targets} (e.g. {@code attn.proj}) of a timm-layout ViT. */
    public static MethodOptions options(int rank, List<String> targets) {
        return options(rank, targets, List.of(HEAD));
    }

    /** The options at rank r on {@code targets}, the classification head(s) {@code heads} trained whole. */
    public static MethodOptions options(int rank, List<String> targets, List<String> heads) {
        return new MethodOptions(rank, (double) rank, 0.0, targets, true, heads, heads);
    }

    /**
     * Makes {@code model}'s trainable set follow {@code method} (adapters injected in place, initialised from
     * {@code seed}); {@code model} should already carry its new head. Empty {@code targets}: the model's
     * {@link ImageClassifier#defaultTargets()}.
     */
    public static PeftModel apply(FineTuningMethod method, ImageClassifier model, int rank, List<String> targets,
            long seed) {
        List<String> t = targets.isEmpty() ? model.defaultTargets() : targets;
        return method.apply(model.module(), options(rank, t, model.headModules()), seed);
    }
}
