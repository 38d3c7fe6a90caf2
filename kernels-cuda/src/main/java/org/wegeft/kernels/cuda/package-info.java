/**
 * The CUDA backend: bindings written for this project to the CUDA driver ({@code libcuda}), NVRTC and cuBLAS
 * through {@code java.lang.foreign}, found at run time (no native code to build, no Maven dependency). GEMMs run
 * on cuBLAS; every other kernel is one of the shared device kernels (org.wegeft.kernels.device), compiled by NVRTC at first use
 * and cached as PTX on disk. Without a driver or a device the backend loads, reports why it is unavailable and
 * is never chosen.
 */
@NullMarked
package org.wegeft.kernels.cuda;

import org.jspecify.annotations.NullMarked;
