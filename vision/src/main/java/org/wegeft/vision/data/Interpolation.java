package org.wegeft.vision.data;

/**
 * Resampling filter of {@link ImageOps#resize}, following PyTorch's
 * {@code F.interpolate(x, size, mode, align_corners=False, antialias=False)}.
 */
public enum Interpolation {
    /** Two taps per axis; source coordinates below 0 are clamped to 0. */
    BILINEAR,
    /** Four taps per axis, Keys cubic convolution with a = -0.75; indices clamped to the border; no clamping of
     *  the result (values may overshoot [0, 1] slightly, as in PyTorch). */
    BICUBIC
}
