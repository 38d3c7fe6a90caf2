/**
 * What the device backends (CUDA, OpenCL) share: the kernel sources, written once in the common subset of CUDA C
 * and OpenCL C ({@link org.wegeft.kernels.device.DeviceKernelSources}), the launches of those kernels behind the SPI
 * ({@link org.wegeft.kernels.device.DeviceKernelBackend}), native-library loading through FFM
 * ({@link org.wegeft.kernels.device.NativeLibrary}) and the on-disk cache of compiled code
 * ({@link org.wegeft.kernels.device.BinaryCache}).
 */
@NullMarked
package org.wegeft.kernels.device;

import org.jspecify.annotations.NullMarked;
