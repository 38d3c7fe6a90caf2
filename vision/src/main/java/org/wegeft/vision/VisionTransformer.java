package org.wegeft.vision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Checkpointing;
import org.wegeft.nn.Identity;
import org.wegeft.nn.Layer;
import org.wegeft.nn.LayerNorm;
import org.wegeft.nn.Linear;
import org.wegeft.nn.Module;
import org.wegeft.nn.ModuleList;
import org.wegeft.nn.Param;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.CheckpointKeep;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Grad;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * Vision Transformer (Dosovitskiy et al.) with timm's parameter names, so timm checkpoints load by name and
 * Hugging Face ViT checkpoints through a key map ({@link #fromPretrained}):
 * {@code cls_token, pos_embed, patch_embed.proj, blocks.{i}.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1,
 * mlp.fc2}, norm, fc_norm, head}.
 *
 * <pre>
 *   images (B, C_in, H, W) ─ patch_embed ─▶ (B, N, C) ─ [cls_token; ·] + pos_embed ─▶ (B, T, C)
 *     ─ blocks ─▶ norm ─▶ features (B, T, C)                                   forwardFeatures
 *     ─ pool (class token | mean of patch tokens) ─ fc_norm ─ head ─▶ logits (B, classes)   forwardHead
 * </pre>
 */
public final class VisionTransformer extends Module implements ImageClassifier {
    private VitConfig config;
    private final @Nullable Param clsToken;
    private final Param posEmbed;
    private final Slot<PatchEmbed> patchEmbed;
    private final ModuleList<VitBlock> blocks;
    private boolean gradientCheckpointing;
    private boolean recomputeActivations;
    private CheckpointKeep checkpointKeep = CheckpointKeep.NOTHING;
    private final Slot<Layer> norm;
    private final Slot<Layer> fcNorm;
    private final Slot<Layer> head;

    /** A freshly initialised model (timm's from-scratch init), every random draw from {@code seed}. */
    public VisionTransformer(VitConfig config, long seed) {
        this.config = config;
        SplittableRandom rng = new SplittableRandom(seed);
        int c = config.embedDim();
        this.clsToken = config.classToken()
                ? registerParameter("cls_token", VitInit.truncNormal(rng, VitInit.STD, 1, 1, c)) : null;
        this.posEmbed = registerParameter("pos_embed", VitInit.truncNormal(rng, VitInit.STD, 1, config.seqLen(), c));
        this.patchEmbed = registerModule("patch_embed",
                new PatchEmbed(config.imgSize(), config.patchSize(), config.inChans(), c, rng.split()));
        this.blocks = new ModuleList<>(VitBlock.class);
        float eps = (float) config.layerNormEps();
        for (int i = 0; i < config.depth(); i++) {
            // timm: torch.linspace(0, drop_path_rate, depth)
            double rate = config.depth() == 1 ? 0.0 : config.dropPathRate() * i / (config.depth() - 1);
            blocks.add(new VitBlock(c, config.numHeads(), config.mlpHidden(), config.qkvBias(), eps, (float) rate,
                    rng.split()));
        }
        registerModule("blocks", blocks);
        // timm: with fc_norm the final norm is an Identity and the LayerNorm comes after pooling
        this.norm = registerModule("norm", Layer.class, config.fcNorm() ? new Identity() : new LayerNorm(c, eps, true));
        this.fcNorm = registerModule("fc_norm", Layer.class,
                config.fcNorm() ? new LayerNorm(c, eps, true) : new Identity());
        this.head = registerModule("head", Layer.class, newHead(config.numClasses(), rng));
    }

    private Layer newHead(int classes, RandomGenerator rng) {
        return classes == 0 ? new Identity() : VitInit.linear(new Linear(config.embedDim(), classes, true, rng), rng);
    }

    // ------------------------------------------------------------------ forward

    /** images: (B, C_in, H, W) with H = W = img_size → features (B, T, C) after the final norm. */
    public Tensor forwardFeatures(Tensor images) {
        try (Grad.Mode r = recomputeActivations && isTraining() ? Grad.recomputingActivations() : null) {
            return features(images);
        }
    }

    private Tensor features(Tensor images) {
        Tensor x = TensorScope.call(() -> {
            Tensor patches = patchEmbed.get().forward(images);                          // (B, N, C)
            Tensor seq = clsToken == null ? patches : Functional.cat(List.of(              // (B, 1 + N, C)
                    clsToken.get().expand(patches.size(0), 1, config.embedDim()), patches), 1);
            return seq.add(posEmbed.get());                                             // + (1, T, C)
        });
        // each block's input is released as soon as its output exists, so a forward without gradients holds one
        // block's activations at a time
        boolean checkpoint = gradientCheckpointing && isTraining() && Grad.isEnabled();
        for (VitBlock block : blocks) {
            Tensor in = x;
            try (in) {
                if (checkpoint) {
                    x = Checkpointing.block(block, (h, cs) -> block.forward(h), in, List.of(), checkpointKeep);
                } else {
                    x = block.forward(in);
                }
            }
        }
        try (Tensor last = x) {
            return norm.get().forward(last);
        }
    }

    /**
     * Gradient checkpointing: in training (while recording), each block keeps only its input and recomputes its
     * activations in backward, trading about one more forward pass for most of the activation memory. Off by
     * default. Stochastic depth draws again in the recomputation, so use it with a drop-path rate of 0 for exact
     * gradients.
     */
    public VisionTransformer gradientCheckpointing(boolean on) {
        gradientCheckpointing = on;
        checkpointKeep = CheckpointKeep.NOTHING;
        return this;
    }

    /**
     * Gradient checkpointing that also keeps what {@code keep} names from each block's forward (selective
     * checkpointing): with {@link CheckpointKeep#ATTENTION_AND_DOWN_PROJECTIONS} a block keeps its attention
     * output and its MLP's fc2 output besides its input, and backward recomputes only the norms, qkv, fc1, the
     * activation and proj. Same gradients, bit for bit.
     */
    public VisionTransformer gradientCheckpointing(CheckpointKeep keep) {
        gradientCheckpointing = true;
        checkpointKeep = keep;
        return this;
    }

    /**
     * In training, lets the outputs of the norms and of the MLP's activation go after forward and computes them
     * again in backward ({@link Grad#recomputingActivations()}): per block at T tokens, 2·C + hidden floats a token
     * fewer held until backward (ViT-S/16: 2,304 of about 6,500), for about one more forward pass of those cheap ops.
     * Same gradients, bit for bit. With gradient checkpointing it applies to the forward only: a checkpointed block
     * recomputed in backward keeps its cheap outputs while its own backward runs.
     */
    @Override
    public VisionTransformer recomputeActivations(boolean on) {
        recomputeActivations = on;
        return this;
    }

    /** Whether {@link #recomputeActivations(boolean)} is on. */
    public boolean recomputeActivations() {
        return recomputeActivations;
    }

    /** What {@link #gradientCheckpointing(CheckpointKeep)} keeps ({@code NOTHING} for plain checkpointing). */
    public CheckpointKeep checkpointKeep() {
        return checkpointKeep;
    }

    /** Whether {@link #gradientCheckpointing(boolean)} is on. */
    public boolean gradientCheckpointing() {
        return gradientCheckpointing;
    }

    /** features: (B, T, C) → logits (B, classes), or the pooled (B, C) when the head is an Identity. */
    public Tensor forwardHead(Tensor features) {
        return TensorScope.call(() -> head.get().forward(fcNorm.get().forward(pool(features))));
    }

    // features: (B, T, C) → (B, C)
    private Tensor pool(Tensor features) {
        if (config.globalPool().equals("token")) {
            return features.select(1, 0);                                  // the class token
        }
        int prefix = config.numPrefixTokens();
        return TensorScope.call(() -> features.narrow(1, prefix, features.size(1) - prefix).mean(1, false));
    }

    /** images: (B, C_in, H, W) → logits (B, classes). */
    @Override
    public Tensor forward(Tensor images) {
        return TensorScope.call(() -> forwardHead(forwardFeatures(images)));
    }

    // ------------------------------------------------------------------ head

    /**
     * Replaces the head with a freshly initialised one for {@code numClasses} classes (trunc-normal 0.02 weight,
     * zero bias; an Identity when 0), e.g. before fine-tuning on a new label set. The new head is trainable.
     */
    public void resetHead(int numClasses, RandomGenerator rng) {
        resetHead(numClasses, List.of(), rng);
    }

    /** {@link #resetHead(int, RandomGenerator)} recording the class names in the config. */
    @Override
    public void resetHead(int numClasses, List<String> labels, RandomGenerator rng) {
        VitConfig next = config.withClasses(numClasses, labels);
        replace("head", (Module) newHead(numClasses, rng));
        config = next;
    }

    public Layer head() {
        return head.get();
    }

    @Override
    public List<String> headModules() {
        return List.of("head");
    }

    /** {@code attn.proj}: the paper's ViT setting. */
    @Override
    public List<String> defaultTargets() {
        return List.of("attn.proj");
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
        return config.numClasses();
    }

    @Override
    public List<String> labels() {
        return config.labels();
    }

    // ------------------------------------------------------------------ access

    /** The current config (its num_classes follows {@link #resetHead}). */
    public VitConfig config() {
        return config;
    }

    public List<VitBlock> blocks() {
        return java.util.stream.StreamSupport.stream(blocks.spliterator(), false).toList();
    }

    public PatchEmbed patchEmbed() {
        return patchEmbed.get();
    }

    /** pos_embed (1, T, C). */
    public Tensor posEmbed() {
        return posEmbed.get();
    }

    public @Nullable Tensor clsToken() {
        return clsToken == null ? null : clsToken.get();
    }

    // ------------------------------------------------------------------ files

    /** Loads {@code dir} (config.json + model.safetensors or shards), strictly, at the config's image size. */
    public static VisionTransformer fromPretrained(Path dir) {
        return VitCheckpoint.load(dir, VitConfig.read(dir), true);
    }

    /**
     * Loads {@code dir} into a model built from {@code config} (e.g. {@code VitConfig.read(dir).withImgSize(384)
     * .withDropPathRate(0.1)}); a pos_embed of another grid is resampled bicubically to the config's. timm and
     * Hugging Face ({@code ViTModel}, {@code ViTForImageClassification}) names are detected from the keys.
     * @param strict when true, any missing or unexpected key is an error (mis-shaped keys always are)
     * @throws org.wegeft.nn.StateDictException naming the missing, unexpected and mis-shaped keys
     */
    public static VisionTransformer fromPretrained(Path dir, VitConfig config, boolean strict) {
        return VitCheckpoint.load(dir, config, strict);
    }

    /**
     * Writes {@code dir/config.json} and {@code dir/model.safetensors} (F32, timm names), each atomically.
     * Merge adapters first ({@code PeftModel.mergeAndUnload}) to save a plain model.
     */
    @Override
    public void save(Path dir) throws IOException {
        VitCheckpoint.save(this, dir);
    }

    /** Sets every parameter's value from {@code state} (timm names), under no-grad. */
    void load(java.util.Map<String, Tensor> state, boolean strict, String source) {
        try (var g = Grad.disabled()) {
            loadStateDict(state, strict, source);
        }
    }
}
