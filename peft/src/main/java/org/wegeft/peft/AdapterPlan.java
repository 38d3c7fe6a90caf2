package org.wegeft.peft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Linears a config adapts and where each one's adapter tensors live, computed from shapes alone
 * ({@code path → (out, in)}) so that injection, parameter counting and the streaming merge of a checkpoint
 * share one implementation. Selection follows PEFT: {@link TargetModules#matches}, then
 * {@code layers_to_transform} (layer index = the number after a {@code layers}/{@code h}/{@code layer}/
 * {@code block}/{@code blocks} segment, or after {@code layers_pattern}); modules under {@code modules_to_save}
 * are never targets. Tie groups ({@link AdapterConfig#tiedModules()}) match with {@code re.match} semantics (anchored
 * at the start); the targets of a group share the tensors of its first, their owner.
 *
 * @param config  the config
 * @param targets the targets in module order
 */
public record AdapterPlan(AdapterConfig config, List<AdapterTarget> targets) {
    /** The prefix PEFT puts before every module path in adapter files. */
    public static final String PREFIX = "base_model.model.";
    private static final List<String> DEFAULT_LAYER_PATTERNS = List.of("layers", "h", "block", "blocks", "layer");

    public AdapterPlan {
        targets = List.copyOf(targets);
    }

    /**
     * Plans {@code config} over the Linears {@code linearShapes} (path → {out, in}, module order).
     * @param source names the config in errors
     * @throws AdapterTargetException when nothing matches or a tie group has unequal d_in
     */
    public static AdapterPlan of(AdapterConfig config, Map<String, long[]> linearShapes, String source) {
        List<String> selected = new ArrayList<>();
        for (String path : linearShapes.keySet()) {
            if (isTarget(config, path)) {
                selected.add(path);
            }
        }
        if (selected.isEmpty()) {
            throw new AdapterTargetException(source, "target_modules", "matches no Linear module (target_modules="
                    + describe(config.targetModules()) + ", layers_to_transform=" + config.layersToTransform()
                    + ", " + linearShapes.size() + " Linears in the model)");
        }
        List<AdapterTarget> out = new ArrayList<>();
        Map<Integer, String> groupOwner = new LinkedHashMap<>();
        for (String path : selected) {
            long[] s = linearShapes.get(path);
            String owner = path;
            int g = tieGroup(config, path);
            if (g >= 0) {
                owner = groupOwner.computeIfAbsent(g, k -> path);
                long ownerIn = linearShapes.get(owner)[1];
                if (ownerIn != s[1]) {
                    throw new AdapterTargetException(source, "tied_modules", "tie group "
                            + config.tiedModules().get(g) + " joins layers of unequal d_in: " + owner + " (d_in="
                            + ownerIn + ") and " + path + " (d_in=" + s[1] + ")");
                }
            }
            out.add(new AdapterTarget(path, owner, s[0], s[1]));
        }
        return new AdapterPlan(config, out);
    }

    /** True when the config selects the module at {@code path} (assumed to be a Linear). */
    public static boolean isTarget(AdapterConfig config, String path) {
        for (String m : config.modulesToSave()) {
            if (path.equals(m) || path.endsWith("." + m) || path.startsWith(m + ".") || path.contains("." + m + ".")) {
                return false;
            }
        }
        if (!config.targetModules().matches(path)) {
            return false;
        }
        TargetModules excluded = config.excludeModules();
        if (excluded != null && excluded.matches(path)) {
            return false;
        }
        if (config.layersToTransform().isEmpty()) {
            return true;
        }
        List<String> names = config.layersPattern().isEmpty() ? DEFAULT_LAYER_PATTERNS : config.layersPattern();
        String alt = String.join("|", names.stream().map(Pattern::quote).toList());
        Matcher m = Pattern.compile("(?:^|.*\\.)(?:" + alt + ")\\.(\\d+)\\.").matcher(path);
        return m.lookingAt() && config.layersToTransform().contains(Integer.parseInt(m.group(1)));
    }

    /** The index of the first tie group with a regex matching the start of {@code path}, or -1. */
    static int tieGroup(AdapterConfig config, String path) {
        for (int g = 0; g < config.tiedModules().size(); g++) {
            for (String regex : config.tiedModules().get(g)) {
                if (Pattern.compile(regex).matcher(path).lookingAt()) {
                    return g;
                }
            }
        }
        return -1;
    }

    private static String describe(TargetModules t) {
        return t.regex() != null ? "\"" + t.regex() + "\"" : t.names().toString();
    }

    /** The target at {@code path}, or null. */
    public AdapterTarget target(String path) {
        for (AdapterTarget t : targets) {
            if (t.path().equals(path)) {
                return t;
            }
        }
        throw new IllegalArgumentException("'" + path + "' is not a target of this " + config.peftType() + " plan");
    }

    /** The adapter-file keys of the tensors of {@code t}, in the method's order (under its owner's path). */
    public List<String> tensorKeys(AdapterTarget t) {
        return config.method().tensors(this, t).stream().map(a -> a.key(t.owner())).toList();
    }

    /** Every adapter tensor the file must hold (shared tensors once), key → shape. */
    public Map<String, long[]> adapterShapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (AdapterTarget t : targets) {
            for (AdapterTensor a : config.method().tensors(this, t)) {
                out.putIfAbsent(a.key(t.owner()), a.shape());
            }
        }
        return out;
    }

    /** The number of trainable adapter parameters (shared tensors counted once, model-wide frozen ones not). */
    public long adapterParameterCount() {
        Map<String, long[]> trained = new LinkedHashMap<>();
        for (AdapterTarget t : targets) {
            for (AdapterTensor a : config.method().tensors(this, t)) {
                if (!a.modelWide()) {
                    trained.putIfAbsent(a.key(t.owner()), a.shape());
                }
            }
        }
        return trained.values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, Math::multiplyExact)).sum();
    }

    /** The largest (d_out, d_in) over the targets, each taken on its own (VeRA sizes its shared projections so). */
    public long[] largestShape() {
        long out = 0;
        long in = 0;
        for (AdapterTarget t : targets) {
            out = Math.max(out, t.dOut());
            in = Math.max(in, t.dIn());
        }
        return new long[] {out, in};
    }
}
