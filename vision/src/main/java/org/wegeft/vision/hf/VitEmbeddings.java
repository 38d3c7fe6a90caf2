package org.wegeft.vision.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Module;
import org.wegeft.nn.Param;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;
import org.wegeft.vision.PosEmbedResample;
import org.wegeft.vision.VitInit;

/**
 * The {@code embeddings} of ViT, DeiT and DINOv2: {@code patch_embeddings.projection} (Conv2d, kernel = stride =
 * patch), {@code cls_token}, DeiT's {@code distillation_token}, {@code position_embeddings}, DINOv2's
 * {@code register_tokens} (inserted after the class token once positions are added) and, when the checkpoint has
 * one, the masked-pretraining {@code mask_token} (kept, unused).
 *
 * <pre>
 *   images (B, C_in, H, W) ─ projection ─▶ (B, N, C) ─ [cls; dist; ·] + positions(H, W) ─ [cls; registers; ·]
 * </pre>
 */
final class VitEmbeddings extends Module {
    /** How positions meet an image of another size than the config's. */
    enum Interpolation {
        /** not at all: the image must have the config's size (ViT, DeiT without interpolate_pos_encoding) */
        NONE,
        /** bicubic, as F.interpolate(align_corners=False) (DINOv2) */
        BICUBIC,
        /** bicubic with torch's antialias=True (DINOv2 with registers) */
        BICUBIC_ANTIALIAS
    }

    private final int dim;
    private final int patch;
    private final int grid;
    private final Interpolation interpolation;
    private final Param clsToken;
    private final @Nullable Param distillationToken;
    private final @Nullable Param registerTokens;
    private final Param positionEmbeddings;
    private final Slot<PatchProjection> patchEmbeddings;

    /**
     * @param prefixTokens 1 (class token) or 2 (with DeiT's distillation token)
     * @param registers    DINOv2 register tokens (0: none)
     * @param maskToken    the shape of the checkpoint's mask_token, or null when it has none
     */
    VitEmbeddings(HfVisionConfig c, int prefixTokens, int registers, long @Nullable [] maskToken,
            Interpolation interpolation, RandomGenerator rng) {
        this.dim = c.hiddenSize();
        this.patch = c.patchSize();
        this.grid = c.gridSize();
        this.interpolation = interpolation;
        this.clsToken = registerParameter("cls_token", VitInit.truncNormal(rng, VitInit.STD, 1, 1, dim));
        this.distillationToken = prefixTokens > 1
                ? registerParameter("distillation_token", VitInit.truncNormal(rng, VitInit.STD, 1, 1, dim)) : null;
        if (maskToken != null) {
            registerBuffer("mask_token", Tensor.zeros(maskToken));
        }
        this.registerTokens = registers > 0 ? registerParameter("register_tokens", Tensor.zeros(1, registers, dim))
                : null;
        this.positionEmbeddings = registerParameter("position_embeddings",
                VitInit.truncNormal(rng, VitInit.STD, 1, prefixTokens + (long) grid * grid, dim));
        this.patchEmbeddings = registerModule("patch_embeddings",
                new PatchProjection(c.numChannels(), dim, patch, true, rng));
    }

    // images: (B, C_in, H, W) → (B, prefix + registers + N, C)
    Tensor forward(Tensor images) {
        return TensorScope.call(() -> {
            long b = images.size(0);
            Tensor patches = patchEmbeddings.get().forward(images);                         // (B, N, C)
            List<Tensor> seq = new ArrayList<>();
            seq.add(clsToken.get().expand(b, 1, dim));
            if (distillationToken != null) {
                seq.add(distillationToken.get().expand(b, 1, dim));
            }
            seq.add(patches);
            Tensor x = Functional.cat(seq, 1).add(positions((int) images.size(2), (int) images.size(3)));
            if (registerTokens == null) {
                return x;
            }
            long n = x.size(1);
            return Functional.cat(List.of(x.narrow(1, 0, 1), registerTokens.get().expand(b,
                    registerTokens.get().size(1), dim), x.narrow(1, 1, n - 1)), 1);
        });
    }

    // (1, prefix + gh·gw, C): the stored positions, or their patch grid resized to the image's (transformers skips
    // the resize exactly when the patch count matches and the image is square)
    private Tensor positions(int height, int width) {
        Tensor pos = positionEmbeddings.get();
        int gh = height / patch;
        int gw = width / patch;
        if ((long) gh * gw == (long) grid * grid && height == width) {
            return pos;
        }
        if (interpolation == Interpolation.NONE) {
            throw new IllegalArgumentException("expected images of " + grid * patch + "x" + grid * patch
                    + " pixels (its image_size), got " + height + "x" + width);
        }
        int prefix = (int) (pos.size(1) - (long) grid * grid);
        Tensor m = PosEmbedResample.matrix(grid, grid, gh, gw, interpolation == Interpolation.BICUBIC_ANTIALIAS);
        Tensor cls = pos.narrow(1, 0, prefix);                                               // (1, prefix, C)
        Tensor gridPos = m.matmul(pos.narrow(1, prefix, (long) grid * grid).squeeze(0));     // (gh·gw, C)
        return Functional.cat(List.of(cls, gridPos.unsqueeze(0)), 1);
    }
}
