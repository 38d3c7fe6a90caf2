package org.wegeft.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.wegeft.nn.ConfigFields;

/**
 * Gemma 2 ({@code model_type} "gemma2", {@code Gemma2ForCausalLM}): {@link GemmaFamily}'s blocks, attention
 * scores and final logits soft-capped ({@code attn_logit_softcapping}, default 50; {@code final_logit_softcapping},
 * default 30), even layers sliding and odd layers global unless {@code layer_types} says otherwise.
 */
final class Gemma2Family extends GemmaFamily {
    @Override
    public String modelType() {
        return "gemma2";
    }

    @Override
    public String architecture() {
        return "Gemma2ForCausalLM";
    }

    @Override
    boolean qkNorm() {
        return false;
    }

    @Override
    void familyDefaults(ObjectNode o) {
        o.putIfAbsent("vocab_size", o.numberNode(256000));
        o.putIfAbsent("max_position_embeddings", o.numberNode(8192));
        o.putIfAbsent("attn_logit_softcapping", o.numberNode(50.0));
        o.putIfAbsent("final_logit_softcapping", o.numberNode(30.0));
    }

    @Override
    List<String> derivedLayerTypes(ConfigFields r, int layers) {
        List<String> types = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            types.add(i % 2 == 0 ? DecoderConfig.SLIDING_ATTENTION : DecoderConfig.FULL_ATTENTION);
        }
        return types;
    }

    @Override
    DecoderConfig.Extras extras(ConfigFields r, double queryPreAttnScalar) {
        return new DecoderConfig.Extras(queryPreAttnScalar, positiveOrNull(r, "attn_logit_softcapping"),
                positiveOrNull(r, "final_logit_softcapping"), null, 1.0);
    }
}
