package org.wegeft.vision.hf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.wegeft.nn.ConfigFields;
import org.wegeft.vision.ImageInput;
import org.wegeft.vision.VitConfigException;

/**
 * The vision config of a Hugging Face family, under transformers' field names ({@code hidden_size}, …); for a full
 * CLIP or SigLIP checkpoint, its {@code vision_config}.
 *
 * @param source            the file it was read from (named in errors)
 * @param modelType         {@code model_type} of the file
 * @param imageSize         square input size the position embeddings were made for
 * @param patchSize         square patch size
 * @param numChannels       input channels
 * @param hiddenSize        token width C
 * @param numHiddenLayers   encoder layers
 * @param numAttentionHeads attention heads (C divisible by it)
 * @param intermediateSize  MLP hidden width (DINOv2: int(C · mlp_ratio))
 * @param hiddenAct         the MLP activation ({@code gelu}, {@code quick_gelu}, {@code gelu_pytorch_tanh}, …)
 * @param layerNormEps      LayerNorm eps
 * @param qkvBias           bias on query, key and value
 * @param useSwiglu         DINOv2's SwiGLU feed-forward ({@code use_swiglu_ffn})
 * @param numRegisterTokens DINOv2 register tokens (0 without)
 * @param dropPathRate      stochastic depth of DINOv2's residual branches
 * @param labels            class names by index (empty when unknown)
 * @param numLabels         classifier outputs (0: no classifier)
 * @param input             image size and normalisation
 * @param json              the config object as read, written back (labels updated) when the model is saved
 */
public record HfVisionConfig(String source, String modelType, int imageSize, int patchSize, int numChannels,
        int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize, String hiddenAct,
        double layerNormEps, boolean qkvBias, boolean useSwiglu, int numRegisterTokens, double dropPathRate,
        List<String> labels, int numLabels, ImageInput input, ObjectNode json) {

    private static final ConfigFields.Errors ERRORS = VitConfigException::new;

    public HfVisionConfig {
        ERRORS.requirePositive(source, "image_size", imageSize);
        ERRORS.requirePositive(source, "patch_size", patchSize);
        ERRORS.requirePositive(source, "num_channels", numChannels);
        ERRORS.requirePositive(source, "hidden_size", hiddenSize);
        ERRORS.requirePositive(source, "num_hidden_layers", numHiddenLayers);
        ERRORS.requirePositive(source, "num_attention_heads", numAttentionHeads);
        ERRORS.requirePositive(source, "intermediate_size", intermediateSize);
        if (imageSize % patchSize != 0) {
            throw new VitConfigException(source, "image_size", "must be a multiple of patch_size " + patchSize
                    + ", got " + imageSize);
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new VitConfigException(source, "num_attention_heads", "must divide hidden_size " + hiddenSize
                    + ", got " + numAttentionHeads);
        }
        if (!(layerNormEps > 0)) {
            throw new VitConfigException(source, "layer_norm_eps", "must be positive, got " + layerNormEps);
        }
        if (numRegisterTokens < 0) {
            throw new VitConfigException(source, "num_register_tokens", "must be >= 0, got " + numRegisterTokens);
        }
        if (!(dropPathRate >= 0 && dropPathRate < 1)) {
            throw new VitConfigException(source, "drop_path_rate", "must be in [0, 1), got " + dropPathRate);
        }
        if (numLabels < 0 || (!labels.isEmpty() && labels.size() != numLabels)) {
            throw new VitConfigException(source, "num_labels", "must be >= 0 and match id2label's " + labels.size()
                    + " names, got " + numLabels);
        }
        if (input.mean().size() != numChannels || input.std().size() != numChannels
                || input.std().stream().anyMatch(s -> !(s > 0))) {
            throw new VitConfigException(source, "image_mean", "needs num_channels = " + numChannels
                    + " means and positive stds, got " + input.mean() + " / " + input.std());
        }
        labels = List.copyOf(labels);
    }

    /** Patches per side at the config's image size. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** A new label set ({@code names} may be empty: unnamed classes). */
    public HfVisionConfig withLabels(int classes, List<String> names) {
        return new HfVisionConfig(source, modelType, imageSize, patchSize, numChannels, hiddenSize, numHiddenLayers,
                numAttentionHeads, intermediateSize, hiddenAct, layerNormEps, qkvBias, useSwiglu, numRegisterTokens,
                dropPathRate, names, classes, input, json);
    }
}
