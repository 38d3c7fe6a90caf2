package org.wegeft.nn;

import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.wegeft.tensor.Functional;
import org.wegeft.tensor.Tensor;
import org.wegeft.tensor.TensorScope;

/**
 * torch {@code nn.Conv2d} as im2col + one linear (dilation 1, groups 1), written for patch embedding:
 * "weight" (out, in, kh, kw), "bias" (out). When stride equals the kernel and padding is 0 (ViT patches) the
 * patches are cut by views (reshape/permute, no gather); otherwise an explicit im2col gather (an embedding
 * lookup of pixel rows) handles any stride and zero padding.
 *
 * <pre>
 *   x (B, C, H, W) ─ patches ─▶ (B, Ho, Wo, C·kh·kw) ─ linear(W.view(out, C·kh·kw), b) ─▶ (B, Ho, Wo, out)
 * </pre>
 */
public final class Conv2d extends Module implements Layer {
    private final int in;
    private final int out;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int padding;
    private final Param weight;
    private final @Nullable Param bias;

    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias, RandomGenerator rng) {
        require(in > 0, "in", in);
        require(out > 0, "out", out);
        require(kernel > 0, "kernel", kernel);
        require(stride > 0, "stride", stride);
        require(padding >= 0, "padding", padding);
        this.in = in;
        this.out = out;
        this.kh = kernel;
        this.kw = kernel;
        this.stride = stride;
        this.padding = padding;
        // torch's default init: kaiming-uniform (a = √5) → U(±1/√fan_in), fan_in = in·kh·kw; bias the same
        float bound = (float) (1.0 / Math.sqrt((double) in * kernel * kernel));
        this.weight = registerParameter("weight", Tensor.uniform(rng, -bound, bound, out, in, kernel, kernel));
        this.bias = bias ? registerParameter("bias", Tensor.uniform(rng, -bound, bound, out)) : null;
    }

    private static void require(boolean ok, String arg, int value) {
        if (!ok) {
            throw new IllegalArgumentException("Conv2d: invalid " + arg + " = " + value);
        }
    }

    // x: (B, C, H, W) → (B, out, Ho, Wo) (a permuted view of the channels-last result)
    @Override
    public Tensor forward(Tensor x) {
        return TensorScope.call(() -> forwardChannelsLast(x).permute(0, 3, 1, 2));
    }

    /** x: (B, C, H, W) → (B, Ho·Wo, out): the token sequence of a ViT patch embedding, without extra copies. */
    public Tensor forwardTokens(Tensor x) {
        return TensorScope.call(() -> {
            Tensor y = forwardChannelsLast(x);
            return y.reshape(y.size(0), y.size(1) * y.size(2), out);
        });
    }

    /** x: (B, C, H, W) → (B, Ho, Wo, out). */
    public Tensor forwardChannelsLast(Tensor x) {
        if (x.dim() != 4 || x.size(1) != in) {
            throw new IllegalArgumentException("Conv2d expects (B, " + in + ", H, W), got " + x);
        }
        long hp = x.size(2) + 2L * padding;
        long wp = x.size(3) + 2L * padding;
        if (hp < kh || wp < kw) {
            throw new IllegalArgumentException("Conv2d: input " + x + " (padding " + padding + ") is smaller than the kernel "
                    + kh + "x" + kw);
        }
        long ho = (hp - kh) / stride + 1;
        long wo = (wp - kw) / stride + 1;
        return TensorScope.call(() -> {
            Tensor cols = stride == kh && stride == kw && padding == 0 ? patchesByViews(x, ho, wo)
                    : patchesByGather(x, ho, wo);
            return Functional.linear(cols, weight.get().reshape(out, (long) in * kh * kw),
                    bias == null ? null : bias.get());
        });
    }

    // x: (B, C, H, W) → (B, Ho, Wo, C·kh·kw), patches tiling the image
    private Tensor patchesByViews(Tensor x, long ho, long wo) {
        long b = x.size(0);
        return TensorScope.call(() -> x.narrow(2, 0, ho * kh).narrow(3, 0, wo * kw)
                .reshape(b, in, ho, kh, wo, kw)                 // (B, C, Ho, kh, Wo, kw)
                .permute(0, 2, 4, 1, 3, 5)                      // (B, Ho, Wo, C, kh, kw)
                .reshape(b, ho, wo, (long) in * kh * kw));
    }

    // x: (B, C, H, W) → (B, Ho, Wo, C·kh·kw) by gathering pixel rows (B·Hp·Wp, C) of the zero-padded image
    private Tensor patchesByGather(Tensor x, long ho, long wo) {
        long b = x.size(0);
        try (Tensor padded = pad(x); Tensor nhwc = padded.permute(0, 2, 3, 1)) {
            long hp = padded.size(2);
            long wp = padded.size(3);
            long count = b * ho * wo * kh * kw;
            if (count > Integer.MAX_VALUE || b * hp * wp > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Conv2d: input " + x + " too large for the im2col gather");
            }
            int[] ids = new int[(int) count];
            int n = 0;
            for (long bi = 0; bi < b; bi++) {
                for (long oh = 0; oh < ho; oh++) {
                    for (long ow = 0; ow < wo; ow++) {
                        for (int i = 0; i < kh; i++) {
                            for (int j = 0; j < kw; j++) {
                                ids[n++] = (int) ((bi * hp + oh * stride + i) * wp + ow * stride + j);
                            }
                        }
                    }
                }
            }
            try (Tensor table = nhwc.reshape(b * hp * wp, in);
                 Tensor idx = Tensor.ofInts(ids, b, ho, wo, kh, kw);
                 Tensor g = Functional.embedding(idx, table);    // (B, Ho, Wo, kh, kw, C)
                 Tensor perm = g.permute(0, 1, 2, 5, 3, 4)) {    // (B, Ho, Wo, C, kh, kw)
                return perm.reshape(b, ho, wo, (long) in * kh * kw);
            }
        }
    }

    private Tensor pad(Tensor x) {
        if (padding == 0) {
            return x.reshape(x.shape());
        }
        long b = x.size(0);
        long h = x.size(2);
        long w = x.size(3);
        return TensorScope.call(() -> {
            Tensor zh = Tensor.zeros(b, in, padding, w);
            Tensor zw = Tensor.zeros(b, in, h + 2L * padding, padding);
            return Functional.cat(List.of(zw, Functional.cat(List.of(zh, x, zh), 2), zw), 3);
        });
    }

    public Tensor weight() {
        return weight.get();
    }

    public @Nullable Tensor bias() {
        return bias == null ? null : bias.get();
    }

    public int outChannels() {
        return out;
    }
}
