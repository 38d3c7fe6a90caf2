package org.wegeft.llm;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigFields;

/**
 * The hyper-parameters of a {@link CausalLM}, mirroring Hugging Face's {@code LlamaConfig}, {@code MistralConfig},
 * {@code Qwen2Config} and the other decoder families' configs; {@code config.json} uses the snake_case names. The
 * family ({@link DecoderFamily}) is found by {@code model_type} and decides which blocks the layers are made of.
 *
 * @param modelType             {@code model_type}, one of {@link DecoderFamilies#modelTypes()}
 * @param vocabSize             {@code vocab_size}
 * @param hiddenSize            {@code hidden_size}, the residual width C
 * @param intermediateSize      {@code intermediate_size}, the SwiGLU width
 * @param numHiddenLayers       {@code num_hidden_layers}
 * @param numAttentionHeads     {@code num_attention_heads} H
 * @param numKeyValueHeads      {@code num_key_value_heads} Hkv (grouped-query attention; H a multiple of it)
 * @param headDim               {@code head_dim} D (default C / H)
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param rmsNormEps            {@code rms_norm_eps}
 * @param ropeTheta             {@code rope_theta}
 * @param ropeScaling           {@code rope_scaling}, or null
 * @param tieWordEmbeddings     {@code tie_word_embeddings}: lm_head shares embed_tokens' weight
 * @param attentionBias         biases on q/k/v (and o, except for qwen2, whose o_proj never has one); qwen2
 *                              configs read as true
 * @param mlpBias               {@code mlp_bias}: biases on gate/up/down
 * @param hiddenAct             {@code hidden_act} ("silu"), or Gemma's {@code hidden_activation} ("gelu_pytorch_tanh")
 * @param bosTokenIds           {@code bos_token_id} (an int or a list; empty when absent)
 * @param eosTokenIds           {@code eos_token_id} (an int or a list; empty when absent)
 * @param padTokenId            {@code pad_token_id}, or null
 * @param torchDtype            {@code torch_dtype} as written ("float32", "bfloat16", …), informational
 * @param initializerRange      {@code initializer_range}: std of the normal init of a fresh model
 * @param slidingWindow         {@code sliding_window}: how many tokens a query of a sliding-attention layer sees,
 *                              itself included; null when no layer slides
 * @param layerTypes            one entry per layer, {@link #FULL_ATTENTION} or {@link #SLIDING_ATTENTION}
 *                              (Hugging Face's {@code layer_types}; families derive it from their own keys when
 *                              absent)
 * @param extras                the keys only some families read
 */
public record DecoderConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
        int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings, double rmsNormEps,
        double ropeTheta, @Nullable RopeScaling ropeScaling, boolean tieWordEmbeddings, boolean attentionBias,
        boolean mlpBias, String hiddenAct, List<Integer> bosTokenIds, List<Integer> eosTokenIds,
        @Nullable Integer padTokenId, String torchDtype, double initializerRange, @Nullable Integer slidingWindow,
        List<String> layerTypes, Extras extras) {

    public static final String FULL_ATTENTION = "full_attention";
    public static final String SLIDING_ATTENTION = "sliding_attention";
    private static final ConfigFields.Errors ERRORS = DecoderConfigException::new;

    /**
     * Keys only some families read, with the values that leave the others' math unchanged.
     *
     * @param queryPreAttnScalar    attention scores are scaled by {@code query_pre_attn_scalar^-1/2} (Gemma); 0
     *                              means head_dim
     * @param attnLogitSoftcapping  {@code attn_logit_softcapping}: scores become {@code cap·tanh(score/cap)}, or
     *                              null
     * @param finalLogitSoftcapping {@code final_logit_softcapping}: the same on the logits, or null
     * @param ropeLocalBaseFreq     {@code rope_local_base_freq}: the rotary base of sliding-attention layers
     *                              (Gemma 3, unscaled), or null when they use rope_theta
     * @param partialRotaryFactor   {@code partial_rotary_factor}: the share of each head's dimensions rotated
     */
    public record Extras(double queryPreAttnScalar, @Nullable Double attnLogitSoftcapping,
            @Nullable Double finalLogitSoftcapping, @Nullable Double ropeLocalBaseFreq, double partialRotaryFactor) {
        public static final Extras NONE = new Extras(0, null, null, null, 1.0);

        public Extras {
            String src = "DecoderConfig";
            if (queryPreAttnScalar < 0 || Double.isNaN(queryPreAttnScalar)) {
                throw new DecoderConfigException(src, "query_pre_attn_scalar", "must be positive, got "
                        + queryPreAttnScalar);
            }
            for (Double cap : new Double[] {attnLogitSoftcapping, finalLogitSoftcapping}) {
                if (cap != null && !(cap > 0)) {
                    throw new DecoderConfigException(src, cap == attnLogitSoftcapping ? "attn_logit_softcapping"
                            : "final_logit_softcapping", "must be positive or null, got " + cap);
                }
            }
            if (ropeLocalBaseFreq != null && !(ropeLocalBaseFreq > 0)) {
                throw new DecoderConfigException(src, "rope_local_base_freq", "must be positive, got "
                        + ropeLocalBaseFreq);
            }
            if (!(partialRotaryFactor > 0 && partialRotaryFactor <= 1)) {
                throw new DecoderConfigException(src, "partial_rotary_factor", "must be in (0, 1], got "
                        + partialRotaryFactor);
            }
        }

        /** These extras with {@code partial_rotary_factor} set. */
        public Extras withPartialRotaryFactor(double factor) {
            return new Extras(queryPreAttnScalar, attnLogitSoftcapping, finalLogitSoftcapping, ropeLocalBaseFreq,
                    factor);
        }
    }

    /** A config whose layers all use full attention and no family extras (llama-style). */
    public DecoderConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
            int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings, double rmsNormEps,
            double ropeTheta, @Nullable RopeScaling ropeScaling, boolean tieWordEmbeddings, boolean attentionBias,
            boolean mlpBias, String hiddenAct, List<Integer> bosTokenIds, List<Integer> eosTokenIds,
            @Nullable Integer padTokenId, String torchDtype, double initializerRange) {
        this(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads,
                headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, tieWordEmbeddings, attentionBias,
                mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, torchDtype, initializerRange, null,
                java.util.Collections.nCopies(Math.max(0, numHiddenLayers), FULL_ATTENTION), Extras.NONE);
    }

    public DecoderConfig {
        String src = "DecoderConfig";
        DecoderFamilies.require(modelType, src);
        ERRORS.requirePositive(src, "vocab_size", vocabSize);
        ERRORS.requirePositive(src, "hidden_size", hiddenSize);
        ERRORS.requirePositive(src, "intermediate_size", intermediateSize);
        ERRORS.requirePositive(src, "num_hidden_layers", numHiddenLayers);
        ERRORS.requirePositive(src, "num_attention_heads", numAttentionHeads);
        ERRORS.requirePositive(src, "num_key_value_heads", numKeyValueHeads);
        ERRORS.requirePositive(src, "head_dim", headDim);
        ERRORS.requirePositive(src, "max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new DecoderConfigException(src, "num_key_value_heads", "must divide num_attention_heads "
                    + numAttentionHeads + ", got " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new DecoderConfigException(src, "head_dim", "must be even for rotary embeddings, got " + headDim);
        }
        if (!(rmsNormEps > 0)) {
            throw new DecoderConfigException(src, "rms_norm_eps", "must be positive, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new DecoderConfigException(src, "rope_theta", "must be positive, got " + ropeTheta);
        }
        if (!Activation.NAMES.contains(hiddenAct)) {
            throw new DecoderConfigException(src, "hidden_act", "\"" + hiddenAct + "\" is not supported (supported: "
                    + String.join(", ", Activation.NAMES) + ")");
        }
        if (!(initializerRange > 0)) {
            throw new DecoderConfigException(src, "initializer_range", "must be positive, got " + initializerRange);
        }
        for (List<Integer> ids : List.of(bosTokenIds, eosTokenIds)) {
            for (int id : ids) {
                if (id < 0 || id >= vocabSize) {
                    throw new DecoderConfigException(src, ids == bosTokenIds ? "bos_token_id" : "eos_token_id",
                            "id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
                }
            }
        }
        if (layerTypes.size() != numHiddenLayers) {
            throw new DecoderConfigException(src, "layer_types", "must have one entry per layer ("
                    + numHiddenLayers + "), got " + layerTypes.size());
        }
        for (String type : layerTypes) {
            if (!type.equals(FULL_ATTENTION) && !type.equals(SLIDING_ATTENTION)) {
                throw new DecoderConfigException(src, "layer_types", "entries must be \"" + FULL_ATTENTION
                        + "\" or \"" + SLIDING_ATTENTION + "\", got \"" + type + "\"");
            }
            if (type.equals(SLIDING_ATTENTION) && slidingWindow == null) {
                throw new DecoderConfigException(src, "sliding_window", "is missing but layer_types has a \""
                        + SLIDING_ATTENTION + "\" layer");
            }
        }
        if (slidingWindow != null && slidingWindow <= 0) {
            throw new DecoderConfigException(src, "sliding_window", "must be a positive integer, got "
                    + slidingWindow);
        }
        bosTokenIds = List.copyOf(bosTokenIds);
        eosTokenIds = List.copyOf(eosTokenIds);
        layerTypes = List.copyOf(layerTypes);
    }

    /**
     * A small Llama config with Hugging Face's defaults otherwise (head_dim C/H, eps 1e-6, theta 10000, untied,
     * no biases, no special tokens).
     */
    public static DecoderConfig tiny(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads) {
        return new DecoderConfig("llama", vocab, hidden, intermediate, layers, heads, kvHeads, hidden / heads, 2048,
                1e-6, 10000.0, null, false, false, false, "silu", List.of(), List.of(), null, "float32", 0.02);
    }

    /** Reads {@code config.json} (a folder holding one, or the file itself). */
    public static DecoderConfig read(Path dirOrFile) {
        return DecoderConfigJson.read(dirOrFile);
    }

    /** Writes this config as Hugging Face snake_case JSON, atomically. */
    public void write(Path file) {
        DecoderConfigJson.write(this, file);
    }

    // ------------------------------------------------------------------ derived

    /** The family that builds this config's layers. */
    public DecoderFamily family() {
        return DecoderFamilies.get(modelType);
    }

    /** The attention window of layer {@code i} (tokens a query sees, itself included), or null for full attention. */
    public @Nullable Integer window(int layer) {
        return layerTypes.get(layer).equals(SLIDING_ATTENTION) ? slidingWindow : null;
    }

    /** Whether any layer uses sliding-window attention. */
    public boolean slides() {
        return layerTypes.contains(SLIDING_ATTENTION);
    }

    /** The dimensions of a head that rotary embeddings turn: head_dim · partial_rotary_factor, rounded down. */
    public int rotaryDim() {
        return (int) (headDim * extras.partialRotaryFactor());
    }

    /** Query heads per key/value head. */
    public int kvGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    // ------------------------------------------------------------------ withers

    public DecoderConfig withTieWordEmbeddings(boolean tie) {
        return new DecoderConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, tie,
                attentionBias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, torchDtype, initializerRange,
                slidingWindow, layerTypes, extras);
    }

    public DecoderConfig withRope(double theta, @Nullable RopeScaling scaling) {
        return new DecoderConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, theta, scaling, tieWordEmbeddings,
                attentionBias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, torchDtype, initializerRange,
                slidingWindow, layerTypes, extras);
    }

    /** The same config with {@code torch_dtype} set (informational: the dtype its weights are saved in). */
    public DecoderConfig withTorchDtype(String dtype) {
        return new DecoderConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, dtype,
                initializerRange, slidingWindow, layerTypes, extras);
    }

    public DecoderConfig withEosTokenIds(List<Integer> eos) {
        return new DecoderConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, hiddenAct, bosTokenIds, eos, padTokenId, torchDtype,
                initializerRange, slidingWindow, layerTypes, extras);
    }

    /** The same config with these attention windows ({@code window} null when no layer slides). */
    public DecoderConfig withLayerTypes(@Nullable Integer window, List<String> types) {
        return new DecoderConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, torchDtype,
                initializerRange, window, types, extras);
    }

    public DecoderConfig withExtras(Extras e) {
        return new DecoderConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, torchDtype,
                initializerRange, slidingWindow, layerTypes, e);
    }

    public DecoderConfig withAttentionBias(boolean bias) {
        return new DecoderConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, bias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, torchDtype,
                initializerRange, slidingWindow, layerTypes, extras);
    }
}
