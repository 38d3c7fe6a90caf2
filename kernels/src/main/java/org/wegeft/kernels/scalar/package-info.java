/**
 * The scalar reference backend: plain loops that accumulate in double, kept forever as the oracle
 * every other {@link org.wegeft.kernels.KernelBackend} is tested against.
 */
@NullMarked
package org.wegeft.kernels.scalar;

import org.jspecify.annotations.NullMarked;
