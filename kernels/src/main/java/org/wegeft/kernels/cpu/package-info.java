/**
 * The Vector API CPU backend: multi-threaded SIMD kernels over flat float32 buffers.
 */
@NullMarked
package org.wegeft.kernels.cpu;

import org.jspecify.annotations.NullMarked;
