/**
 * The compute SPI ({@link org.wegeft.kernels.KernelBackend}) and its discovery ({@link org.wegeft.kernels.Backends}).
 */
@NullMarked
package org.wegeft.kernels;

import org.jspecify.annotations.NullMarked;
