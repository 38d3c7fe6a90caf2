package org.wegeft.vision;

import java.nio.file.Path;
import java.util.List;
import org.wegeft.nn.ConfigFields;

/**
 * The hyper-parameters of a {@link VisionTransformer}, mirroring timm's {@code VisionTransformer} arguments;
 * {@code config.json} uses the snake_case names ({@code img_size}, {@code embed_dim}, …). {@link #read} also
 * accepts a Hugging Face {@code ViTConfig} ({@code "model_type": "vit"}) and a timm hub config naming a standard
 * architecture ({@code "architecture": "vit_base_patch16_224"}).
 *
 * @param imgSize       square input size in pixels ({@code img_size})
 * @param patchSize     square patch size; the patch-embedding Conv2d has kernel = stride = patch
 * @param inChans       input channels
 * @param numClasses    classifier outputs; 0 means no head (features only)
 * @param embedDim      token width C
 * @param depth         number of blocks
 * @param numHeads      attention heads (C divisible by it)
 * @param mlpRatio      MLP hidden width = (int) (C · mlpRatio)
 * @param qkvBias       bias on the fused qkv Linear
 * @param classToken    prepend a learned class token
 * @param globalPool    "token" (class token) or "avg" (mean of the patch tokens)
 * @param fcNorm        timm's {@code fc_norm}: LayerNorm after pooling instead of before it (JSON null or absent:
 *                      true exactly when globalPool is "avg", timm's rule)
 * @param dropPathRate  stochastic depth: block i drops its residual branches with rate dropPathRate·i/(depth−1)
 * @param layerNormEps  LayerNorm eps (timm 1e-6, Hugging Face 1e-12)
 * @param imageMean     per-channel normalisation mean for the image pipeline
 * @param imageStd      per-channel normalisation std
 * @param interpolation resize interpolation the model was trained with ("bicubic", "bilinear")
 * @param labels        class names by index (empty when unknown)
 */
public record VitConfig(int imgSize, int patchSize, int inChans, int numClasses, int embedDim, int depth,
        int numHeads, double mlpRatio, boolean qkvBias, boolean classToken, String globalPool, boolean fcNorm,
        double dropPathRate, double layerNormEps, List<Double> imageMean, List<Double> imageStd,
        String interpolation, List<String> labels) {

    private static final ConfigFields.Errors ERRORS = VitConfigException::new;

    public VitConfig {
        String src = "VitConfig";
        ERRORS.requirePositive(src, "img_size", imgSize);
        ERRORS.requirePositive(src, "patch_size", patchSize);
        ERRORS.requirePositive(src, "in_chans", inChans);
        ERRORS.requirePositive(src, "embed_dim", embedDim);
        ERRORS.requirePositive(src, "depth", depth);
        ERRORS.requirePositive(src, "num_heads", numHeads);
        if (numClasses < 0) {
            throw new VitConfigException(src, "num_classes", "must be >= 0, got " + numClasses);
        }
        if (imgSize % patchSize != 0) {
            throw new VitConfigException(src, "img_size", "must be a multiple of patch_size " + patchSize + ", got "
                    + imgSize);
        }
        if (embedDim % numHeads != 0) {
            throw new VitConfigException(src, "num_heads", "must divide embed_dim " + embedDim + ", got " + numHeads);
        }
        if (!(mlpRatio > 0) || (int) Math.floor(embedDim * mlpRatio + 1e-9) <= 0) {
            throw new VitConfigException(src, "mlp_ratio", "must give a positive MLP width, got " + mlpRatio);
        }
        if (!globalPool.equals("token") && !globalPool.equals("avg")) {
            throw new VitConfigException(src, "global_pool", "must be \"token\" or \"avg\", got \"" + globalPool + "\"");
        }
        if (globalPool.equals("token") && !classToken) {
            throw new VitConfigException(src, "global_pool", "\"token\" needs class_token true");
        }
        if (!(dropPathRate >= 0 && dropPathRate < 1)) {
            throw new VitConfigException(src, "drop_path_rate", "must be in [0, 1), got " + dropPathRate);
        }
        if (!(layerNormEps > 0)) {
            throw new VitConfigException(src, "layer_norm_eps", "must be positive, got " + layerNormEps);
        }
        if (imageMean.size() != inChans) {
            throw new VitConfigException(src, "image_mean", "needs in_chans = " + inChans + " values, got " + imageMean);
        }
        if (imageStd.size() != inChans || imageStd.stream().anyMatch(s -> !(s > 0))) {
            throw new VitConfigException(src, "image_std", "needs in_chans = " + inChans + " positive values, got "
                    + imageStd);
        }
        if (!labels.isEmpty() && labels.size() != numClasses) {
            throw new VitConfigException(src, "labels", "has " + labels.size() + " names for num_classes = "
                    + numClasses);
        }
        imageMean = List.copyOf(imageMean);
        imageStd = List.copyOf(imageStd);
        labels = List.copyOf(labels);
    }

    /**
     * A config with timm's defaults for everything else: 3 channels, MLP ratio 4, qkv bias, class token with token
     * pooling, no stochastic depth, eps 1e-6, mean/std 0.5, bicubic.
     */
    public static VitConfig of(int imgSize, int patchSize, int embedDim, int depth, int numHeads, int numClasses) {
        return new VitConfig(imgSize, patchSize, 3, numClasses, embedDim, depth, numHeads, 4.0, true, true, "token",
                false, 0.0, 1e-6, List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5), "bicubic", List.of());
    }

    /** Reads {@code config.json} (a folder holding one, or the file itself); see {@link VitConfig}. */
    public static VitConfig read(Path dirOrFile) {
        return VitConfigJson.read(dirOrFile);
    }

    /** Writes this config as timm-style snake_case JSON, atomically. */
    public void write(Path file) {
        VitConfigJson.write(this, file);
    }

    // ------------------------------------------------------------------ derived sizes

    /** The input size and normalisation of the image pipeline. */
    public ImageInput input() {
        return new ImageInput(imgSize, imageMean, imageStd, interpolation);
    }

    /** Patches per side. */
    public int gridSize() {
        return imgSize / patchSize;
    }

    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Tokens before the patches (1 with a class token, else 0). */
    public int numPrefixTokens() {
        return classToken ? 1 : 0;
    }

    /** Sequence length T = prefix + patches (pos_embed is (1, T, C)). */
    public int seqLen() {
        return numPrefixTokens() + numPatches();
    }

    /** timm's int(embed_dim · mlp_ratio), robust to a ratio like 3072 / 768 computed in floating point. */
    public int mlpHidden() {
        return (int) Math.floor(embedDim * mlpRatio + 1e-9);
    }

    public int headDim() {
        return embedDim / numHeads;
    }

    // ------------------------------------------------------------------ withers

    public VitConfig withImgSize(int size) {
        return new VitConfig(size, patchSize, inChans, numClasses, embedDim, depth, numHeads, mlpRatio, qkvBias,
                classToken, globalPool, fcNorm, dropPathRate, layerNormEps, imageMean, imageStd, interpolation, labels);
    }

    /** A new label set: {@code labels} may be empty (unnamed classes). */
    public VitConfig withClasses(int classes, List<String> names) {
        return new VitConfig(imgSize, patchSize, inChans, classes, embedDim, depth, numHeads, mlpRatio, qkvBias,
                classToken, globalPool, fcNorm, dropPathRate, layerNormEps, imageMean, imageStd, interpolation, names);
    }

    public VitConfig withNumClasses(int classes) {
        return withClasses(classes, List.of());
    }

    public VitConfig withDropPathRate(double rate) {
        return new VitConfig(imgSize, patchSize, inChans, numClasses, embedDim, depth, numHeads, mlpRatio, qkvBias,
                classToken, globalPool, fcNorm, rate, layerNormEps, imageMean, imageStd, interpolation, labels);
    }

    /** Pooling with timm's fc_norm rule applied (fc_norm exactly when "avg"). */
    public VitConfig withGlobalPool(String pool, boolean withClassToken) {
        return new VitConfig(imgSize, patchSize, inChans, numClasses, embedDim, depth, numHeads, mlpRatio, qkvBias,
                withClassToken, pool, pool.equals("avg"), dropPathRate, layerNormEps, imageMean, imageStd,
                interpolation, labels);
    }
}
