package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.wegeft.nn.ConfigFields;

/**
 * Gemma 3's text model ({@code model_type} "gemma3_text", {@code Gemma3ForCausalLM}): {@link GemmaFamily}'s
 * blocks with q/k norms, no soft-capping by default, every {@code sliding_window_pattern}-th layer global (the
 * others sliding) unless {@code layer_types} says otherwise; sliding layers rotate with
 * {@code rope_local_base_freq} unscaled, global layers with {@code rope_theta} and {@code rope_scaling}.
 */
final class Gemma3TextFamily extends GemmaFamily {
    @Override
    public String modelType() {
        return "gemma3_text";
    }

    @Override
    public String architecture() {
        return "Gemma3ForCausalLM";
    }

    @Override
    public DecoderConfig read(ConfigFields r) {
        if (r.get("rope_parameters") != null && r.get("rope_theta") == null) {
            throw r.error("rope_parameters", "(per layer type, transformers 5's layout) is not read: give rope_theta,"
                    + " rope_scaling and rope_local_base_freq");
        }
        return super.read(r);
    }

    @Override
    void familyDefaults(ObjectNode o) {
        o.putIfAbsent("vocab_size", o.numberNode(262208));
        o.putIfAbsent("max_position_embeddings", o.numberNode(131072));
        o.putIfAbsent("rope_theta", o.numberNode(1_000_000.0));
        o.putIfAbsent("rope_local_base_freq", o.numberNode(10_000.0));
    }

    @Override
    boolean qkNorm() {
        return true;
    }

    @Override
    List<String> derivedLayerTypes(ConfigFields r, int layers) {
        int pattern = r.integer("sliding_window_pattern", 6);
        if (pattern <= 0) {
            throw r.error("sliding_window_pattern", "must be a positive integer, got " + pattern);
        }
        List<String> types = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            types.add((i + 1) % pattern != 0 ? DecoderConfig.SLIDING_ATTENTION : DecoderConfig.FULL_ATTENTION);
        }
        return types;
    }

    @Override
    DecoderConfig.Extras extras(ConfigFields r, double queryPreAttnScalar) {
        if (r.bool("use_bidirectional_attention", false)) {
            throw r.error("use_bidirectional_attention", "true (an embedding model) is not supported by a causal LM");
        }
        double local = r.number("rope_local_base_freq", 0);
        if (!(local > 0) || Double.isInfinite(local)) {
            throw r.error("rope_local_base_freq", "must be positive, got " + local);
        }
        return new DecoderConfig.Extras(queryPreAttnScalar, positiveOrNull(r, "attn_logit_softcapping"),
                positiveOrNull(r, "final_logit_softcapping"), local, 1.0);
    }

    @Override
    public void write(DecoderConfig c, ObjectNode o) {
        super.write(c, o);
        Double local = c.extras().ropeLocalBaseFreq();
        if (local != null) {
            o.put("rope_local_base_freq", local);
        }
    }
}
