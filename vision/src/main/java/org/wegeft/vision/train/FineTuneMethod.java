package org.wegeft.vision.train;

import java.util.List;
import java.util.Locale;
import org.wegeft.peft.Baseline;
import org.wegeft.peft.lora.LoraConfig;
import org.wegeft.peft.PeftModel;
import org.wegeft.peft.TargetModules;
import org.wegeft.peft.wegeft.WeGeFTConfig;
import org.wegeft.vision.VisionTransformer;

/**
 * How a pretrained ViT is adapted to a new task. In every method the (new) classification head trains; for
 * WeGeFT and LoRA it is the adapter's {@code modules_to_save}.
 *
 * <ul>
 *   <li>{@link #WEGEFT}: rank-r (phi, psi) on each target, one pair per target name tied across blocks,
 *       alpha = r (scale 1) — the paper's ViT setting.</li>
 *   <li>{@link #LORA}: rank-r LoRA on the same targets, alpha = r.</li>
 *   <li>{@link #FULL}: every parameter.</li>
 *   <li>{@link #PROBE}: the head only.</li>
 *   <li>{@link #BITFIT}: every bias and the head.</li>
 * </ul>
 */
public enum FineTuneMethod {
    WEGEFT("wegeft", "WeGeFT"),
    LORA("lora", "LoRA"),
    FULL("full", "full fine-tuning"),
    PROBE("probe", "linear probe"),
    BITFIT("bitfit", "BitFit");

    private final String id;
    private final String label;

    FineTuneMethod(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** The command-line name: wegeft, lora, full, probe, bitfit. */
    public String id() {
        return id;
    }

    /** The display name. */
    public String label() {
        return label;
    }

    /** True for the methods that write a PEFT adapter folder. */
    public boolean isAdapter() {
        return this == WEGEFT || this == LORA;
    }

    /** Parses a command-line name (case-insensitive). */
    public static FineTuneMethod parse(String s) {
        for (FineTuneMethod m : values()) {
            if (m.id.equalsIgnoreCase(s.strip())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + s + "' (expected wegeft, lora, full, probe or bitfit)");
    }

    /**
     * Makes {@code model}'s trainable set follow this method (adapters injected in place, initialised from
     * {@code seed}); {@code model} should already carry its new head.
     * @param rank    adapter rank (WeGeFT, LoRA)
     * @param targets target module names, e.g. {@code attn.proj} (WeGeFT, LoRA)
     */
    public PeftModel apply(VisionTransformer model, int rank, List<String> targets, long seed) {
        String head = "head";
        return switch (this) {
            case WEGEFT -> PeftModel.inject(model, wegeftConfig(rank, targets), seed);
            case LORA -> PeftModel.inject(model, loraConfig(rank, targets), seed);
            case FULL -> PeftModel.baseline(model, Baseline.full());
            case PROBE -> PeftModel.baseline(model, Baseline.linearProbe(head));
            case BITFIT -> PeftModel.baseline(model, Baseline.bitFit(head));
        };
    }

    /** WeGeFT at rank r on {@code targets}, each target name tied across blocks, alpha = r, head saved. */
    public static WeGeFTConfig wegeftConfig(int rank, List<String> targets) {
        List<List<String>> ties = targets.stream().map(t -> List.of(tieRegex(t))).toList();
        return WeGeFTConfig.of(rank, rank, TargetModules.of(targets.toArray(String[]::new)), ties)
                .withModulesToSave(List.of("head"));
    }

    /** LoRA at rank r on {@code targets}, alpha = r, no dropout, head saved. */
    public static LoraConfig loraConfig(int rank, List<String> targets) {
        LoraConfig base = LoraConfig.of(rank, rank, TargetModules.of(targets.toArray(String[]::new)));
        return new LoraConfig(base.r(), base.loraAlpha(), base.loraDropout(), base.targetModules(), base.useRslora(),
                base.bias(), List.of("head"), base.layersToTransform(), base.layersPattern(), base.extra());
    }

    /** A regex (Python {@code re.match} semantics) for every module path ending in {@code name}. */
    static String tieRegex(String name) {
        return "(.*\\.)?" + name.replace(".", "\\.") + "$";
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
