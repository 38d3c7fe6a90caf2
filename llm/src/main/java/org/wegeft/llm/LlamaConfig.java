package org.wegeft.llm;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.ConfigFields;

/**
 * The hyper-parameters of a {@link LlamaForCausalLM}, mirroring Hugging Face's {@code LlamaConfig} (also
 * {@code MistralConfig}, {@code Qwen2Config}); {@code config.json} uses the snake_case names.
 *
 * @param modelType             {@code model_type}: "llama", "mistral" or "qwen2"
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
 * @param hiddenAct             {@code hidden_act}; only "silu"
 * @param bosTokenIds           {@code bos_token_id} (an int or a list; empty when absent)
 * @param eosTokenIds           {@code eos_token_id} (an int or a list; empty when absent)
 * @param padTokenId            {@code pad_token_id}, or null
 * @param torchDtype            {@code torch_dtype} as written ("float32", "bfloat16", …), informational
 * @param initializerRange      {@code initializer_range}: std of the normal init of a fresh model
 * @param slidingWindow         Mistral's {@code sliding_window}, or null; not applied (sequences are expected to
 *                              stay within it, see {@link LlamaForCausalLM})
 */
public record LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
        int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings, double rmsNormEps,
        double ropeTheta, @Nullable RopeScaling ropeScaling, boolean tieWordEmbeddings, boolean attentionBias,
        boolean mlpBias, String hiddenAct, List<Integer> bosTokenIds, List<Integer> eosTokenIds,
        @Nullable Integer padTokenId, String torchDtype, double initializerRange, @Nullable Integer slidingWindow) {

    public static final List<String> MODEL_TYPES = List.of("llama", "mistral", "qwen2");
    private static final ConfigFields.Errors ERRORS = LlamaConfigException::new;

    public LlamaConfig {
        String src = "LlamaConfig";
        if (!MODEL_TYPES.contains(modelType)) {
            throw new LlamaConfigException(src, "model_type", "\"" + modelType + "\" is not supported (supported: "
                    + String.join(", ", MODEL_TYPES) + ")");
        }
        ERRORS.requirePositive(src, "vocab_size", vocabSize);
        ERRORS.requirePositive(src, "hidden_size", hiddenSize);
        ERRORS.requirePositive(src, "intermediate_size", intermediateSize);
        ERRORS.requirePositive(src, "num_hidden_layers", numHiddenLayers);
        ERRORS.requirePositive(src, "num_attention_heads", numAttentionHeads);
        ERRORS.requirePositive(src, "num_key_value_heads", numKeyValueHeads);
        ERRORS.requirePositive(src, "head_dim", headDim);
        ERRORS.requirePositive(src, "max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new LlamaConfigException(src, "num_key_value_heads", "must divide num_attention_heads "
                    + numAttentionHeads + ", got " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new LlamaConfigException(src, "head_dim", "must be even for rotary embeddings, got " + headDim);
        }
        if (!(rmsNormEps > 0)) {
            throw new LlamaConfigException(src, "rms_norm_eps", "must be positive, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new LlamaConfigException(src, "rope_theta", "must be positive, got " + ropeTheta);
        }
        if (!hiddenAct.equals("silu")) {
            throw new LlamaConfigException(src, "hidden_act", "only \"silu\" is supported, got \"" + hiddenAct + "\"");
        }
        if (!(initializerRange > 0)) {
            throw new LlamaConfigException(src, "initializer_range", "must be positive, got " + initializerRange);
        }
        for (List<Integer> ids : List.of(bosTokenIds, eosTokenIds)) {
            for (int id : ids) {
                if (id < 0 || id >= vocabSize) {
                    throw new LlamaConfigException(src, ids == bosTokenIds ? "bos_token_id" : "eos_token_id",
                            "id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
                }
            }
        }
        bosTokenIds = List.copyOf(bosTokenIds);
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /**
     * A small Llama config with Hugging Face's defaults otherwise (head_dim C/H, eps 1e-6, theta 10000, untied,
     * no biases, no special tokens).
     */
    public static LlamaConfig tiny(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads) {
        return new LlamaConfig("llama", vocab, hidden, intermediate, layers, heads, kvHeads, hidden / heads, 2048,
                1e-6, 10000.0, null, false, false, false, "silu", List.of(), List.of(), null, "float32", 0.02, null);
    }

    /** Reads {@code config.json} (a folder holding one, or the file itself). */
    public static LlamaConfig read(Path dirOrFile) {
        return LlamaConfigJson.read(dirOrFile);
    }

    /** Writes this config as Hugging Face snake_case JSON, atomically. */
    public void write(Path file) {
        LlamaConfigJson.write(this, file);
    }

    // ------------------------------------------------------------------ derived

    /** Bias on q_proj, k_proj and v_proj. */
    public boolean qkvBias() {
        return attentionBias;
    }

    /** Bias on o_proj (Llama's attention_bias; never for qwen2). */
    public boolean oBias() {
        return attentionBias && !modelType.equals("qwen2");
    }

    /** Query heads per key/value head. */
    public int kvGroups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    // ------------------------------------------------------------------ withers

    public LlamaConfig withTieWordEmbeddings(boolean tie) {
        return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, tie,
                attentionBias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, torchDtype, initializerRange,
                slidingWindow);
    }

    public LlamaConfig withRope(double theta, @Nullable RopeScaling scaling) {
        return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, theta, scaling, tieWordEmbeddings,
                attentionBias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, torchDtype, initializerRange,
                slidingWindow);
    }

    /** The same config with {@code torch_dtype} set (informational: the dtype its weights are saved in). */
    public LlamaConfig withTorchDtype(String dtype) {
        return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, hiddenAct, bosTokenIds, eosTokenIds, padTokenId, dtype,
                initializerRange, slidingWindow);
    }

    public LlamaConfig withEosTokenIds(List<Integer> eos) {
        return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, hiddenAct, bosTokenIds, eos, padTokenId, torchDtype,
                initializerRange, slidingWindow);
    }
}
