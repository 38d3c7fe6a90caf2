/**
 * The OpenCL backend: bindings written for this project to the OpenCL ICD loader ({@code libOpenCL.so.1}) and
 * CLBlast through {@code java.lang.foreign}, found at run time (no native code to build, no Maven dependency). GEMMs
 * run on CLBlast; every other kernel is one of the shared device kernels (org.wegeft.kernels.device), the same
 * source the CUDA backend compiles, built by the device's OpenCL C compiler at first use and cached as a program
 * binary on disk. Without a loader, a device or CLBlast the backend loads, reports why it is unavailable and is never
 * chosen.
 */
@NullMarked
package org.wegeft.kernels.opencl;

import org.jspecify.annotations.NullMarked;
