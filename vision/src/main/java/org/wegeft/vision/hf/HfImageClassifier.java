package org.wegeft.vision.hf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.wegeft.nn.Identity;
import org.wegeft.nn.Layer;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.ImageClassifier;
import org.wegeft.vision.ImageInput;
import org.wegeft.vision.VitInit;

/**
 * A Hugging Face family's {@code *ForImageClassification}: the family's base model under its prefix ({@code vit},
 * {@code deit}, {@code dinov2}, {@code vision_model}, …) and its classification head(s), all under transformers'
 * names, so a PEFT adapter made for the transformers model loads here. With more than one head (DeiT with teacher)
 * the logits are their mean.
 *
 * <pre>
 *   images ─ backbone ─▶ hidden (B, T, C) ─ per head: input(hidden) ─ Linear ─▶ (B, classes) ─ mean ─▶ logits
 * </pre>
 */
public final class HfImageClassifier extends Module implements ImageClassifier {
    private HfVisionConfig config;
    private final HfFamily family;
    private final VisionBackbone backbone;
    private final List<ClassifierHead> heads;
    private final List<Slot<Layer>> headSlots = new ArrayList<>();

    /**
     * @param backbone the family's base model (a Module), registered under {@code prefix}
     * @param heads    the classification heads, built for {@code config.numLabels()} outputs
     */
    <B extends Module & VisionBackbone> HfImageClassifier(HfFamily family, HfVisionConfig config, String prefix,
            B backbone, List<ClassifierHead> heads, RandomGenerator rng) {
        this.config = config;
        this.family = family;
        this.backbone = registerModule(prefix, backbone).get();
        this.heads = List.copyOf(heads);
        for (ClassifierHead h : heads) {
            headSlots.add(registerModule(h.name(), Layer.class, newHead(h, config.numLabels(), rng)));
        }
    }

    private static Layer newHead(ClassifierHead h, int classes, RandomGenerator rng) {
        return classes == 0 ? new Identity() : VitInit.linear(new Linear(h.inFeatures(), classes, true, rng), rng);
    }

    // ------------------------------------------------------------------ forward

    /** images: (B, C_in, H, W) → logits (B, classes), or the heads' mean input when the model has no classifier. */
    @Override
    public Tensor forward(Tensor images) {
        return TensorScope.call(() -> logits(backbone.forward(images)));
    }

    /** hidden: (B, T, C) → logits (B, classes). */
    private Tensor logits(Tensor hidden) {
        Tensor sum = head(0, hidden);
        for (int i = 1; i < heads.size(); i++) {
            sum = sum.add(head(i, hidden));
        }
        return heads.size() == 1 ? sum : sum.div(heads.size());
    }

    private Tensor head(int i, Tensor hidden) {
        return headSlots.get(i).get().forward(heads.get(i).input().apply(hidden));
    }

    /** images → the base model's {@code last_hidden_state} (B, T, C). */
    public Tensor features(Tensor images) {
        return backbone.forward(images);
    }

    /** images → the base model's {@code pooler_output} (B, C). */
    public Tensor pooled(Tensor images) {
        return TensorScope.call(() -> backbone.pooled(backbone.forward(images)));
    }

    // ------------------------------------------------------------------ ImageClassifier

    @Override
    public Module module() {
        return this;
    }

    @Override
    public ImageInput input() {
        return config.input();
    }

    @Override
    public int numClasses() {
        return config.numLabels();
    }

    @Override
    public List<String> labels() {
        return config.labels();
    }

    @Override
    public void resetHead(int classes, List<String> labels, RandomGenerator rng) {
        HfVisionConfig next = config.withLabels(classes, labels);
        for (ClassifierHead h : heads) {
            replace(h.name(), (Module) newHead(h, classes, rng));
        }
        config = next;
    }

    @Override
    public List<String> headModules() {
        return heads.stream().map(ClassifierHead::name).toList();
    }

    @Override
    public List<String> defaultTargets() {
        return family.defaultTargets();
    }

    @Override
    public HfImageClassifier recomputeActivations(boolean on) {
        if (on) {
            throw new IllegalArgumentException("recomputing activations is offered for timm-layout ViTs only, not "
                    + "for a Hugging Face " + config.modelType() + " model");
        }
        return this;
    }

    @Override
    public void save(Path dir) throws IOException {
        HfCheckpoint.save(this, dir);
    }

    /** The current config (its labels follow {@link #resetHead}). */
    public HfVisionConfig config() {
        return config;
    }

    /** The family that built it. */
    public HfFamily family() {
        return family;
    }
}
