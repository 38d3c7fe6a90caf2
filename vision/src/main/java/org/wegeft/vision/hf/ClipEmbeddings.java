package org.wegeft.vision.hf;

import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Conv2d;
import org.wegeft.nn.Embedding;
import org.wegeft.nn.Module;
import org.wegeft.nn.Param;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.VitInit;

/**
 * The {@code embeddings} of the CLIP and SigLIP vision towers: {@code patch_embedding} (Conv2d, kernel = stride =
 * patch; CLIP's without bias), CLIP's {@code class_embedding} (C) in front, and {@code position_embedding}, an
 * embedding table (T, C) added to the tokens in order.
 */
final class ClipEmbeddings extends Module {
    private final int dim;
    private final int channels;
    private final int size;
    private final @Nullable Param classEmbedding;
    private final Slot<Conv2d> patchEmbedding;
    private final Slot<Embedding> positionEmbedding;

    ClipEmbeddings(HfVisionConfig c, boolean classToken, boolean patchBias, RandomGenerator rng) {
        this.dim = c.hiddenSize();
        this.channels = c.numChannels();
        this.size = c.imageSize();
        this.classEmbedding = classToken ? registerParameter("class_embedding",
                VitInit.truncNormal(rng, VitInit.STD, dim)) : null;
        this.patchEmbedding = registerModule("patch_embedding",
                new Conv2d(channels, dim, c.patchSize(), c.patchSize(), 0, patchBias, rng));
        int tokens = (classToken ? 1 : 0) + c.gridSize() * c.gridSize();
        this.positionEmbedding = registerModule("position_embedding", new Embedding(tokens, dim, rng));
    }

    // images: (B, C_in, H, W) with H = W = image_size → (B, [1 +] N, C)
    Tensor forward(Tensor images) {
        if (images.dim() != 4 || images.size(2) != size || images.size(3) != size) {
            throw new IllegalArgumentException("expected images (B, " + channels + ", " + size + ", " + size
                    + ") (the model's image_size), got " + images);
        }
        return TensorScope.call(() -> {
            Tensor x = PatchProjection.tokens(patchEmbedding.get(), channels, images);      // (B, N, C)
            if (classEmbedding != null) {
                x = Functional.cat(List.of(classEmbedding.get().view(1, 1, dim).expand(x.size(0), 1, dim), x), 1);
            }
            return x.add(positionEmbedding.get().weight());                                 // + (T, C)
        });
    }
}
