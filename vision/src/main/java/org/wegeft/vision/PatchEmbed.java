package org.wegeft.vision;

import java.util.random.RandomGenerator;
import org.wegeft.nn.Conv2d;
import org.wegeft.nn.Module;
import org.wegeft.nn.Slot;
import org.wegeft.tensor.Tensor;

/** timm's {@code PatchEmbed}: child "proj", a Conv2d with kernel = stride = patch; images → patch tokens. */
public final class PatchEmbed extends Module {
    private final int imgSize;
    private final Slot<Conv2d> proj;

    public PatchEmbed(int imgSize, int patchSize, int inChans, int embedDim, RandomGenerator rng) {
        this.imgSize = imgSize;
        this.proj = registerModule("proj", new Conv2d(inChans, embedDim, patchSize, patchSize, 0, true, rng));
    }

    // images: (B, C_in, H, W) → (B, N, C), N = (H/patch)·(W/patch), row-major over the patch grid
    public Tensor forward(Tensor images) {
        if (images.dim() != 4 || images.size(2) != imgSize || images.size(3) != imgSize) {
            throw new IllegalArgumentException("PatchEmbed expects images (B, C, " + imgSize + ", " + imgSize
                    + "), got " + images + "; load with VitConfig.withImgSize to resample pos_embed for another size");
        }
        return proj.get().forwardTokens(images);
    }

    public Conv2d proj() {
        return proj.get();
    }
}
