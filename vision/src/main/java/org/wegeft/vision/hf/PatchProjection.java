package org.wegeft.vision.hf;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Conv2d;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;

/** ViT's {@code patch_embeddings}: child "projection", a Conv2d with kernel = stride = patch; images → tokens. */
final class PatchProjection extends Module {
    private final int channels;
    private final Slot<Conv2d> projection;

    PatchProjection(int channels, int dim, int patch, boolean bias, RandomGenerator rng) {
        this.channels = channels;
        this.projection = registerModule("projection", new Conv2d(channels, dim, patch, patch, 0, bias, rng));
    }

    // images: (B, C_in, H, W) → (B, N, C), N = (H/patch)·(W/patch), row-major over the patch grid
    Tensor forward(Tensor images) {
        return tokens(projection.get(), channels, images);
    }

    /** The checked patch tokens of {@code conv} (also CLIP's and SigLIP's {@code patch_embedding}). */
    static Tensor tokens(Conv2d conv, int channels, Tensor images) {
        if (images.dim() != 4 || images.size(1) != channels) {
            throw new IllegalArgumentException("expected images (B, " + channels + ", H, W), got " + images);
        }
        return conv.forwardTokens(images);
    }
}
