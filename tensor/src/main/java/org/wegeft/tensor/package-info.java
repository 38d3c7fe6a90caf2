/**
 * Tensors, reverse-mode autograd and safetensors I/O.
 */
@NullMarked
package org.wegeft.tensor;

import org.jspecify.annotations.NullMarked;
