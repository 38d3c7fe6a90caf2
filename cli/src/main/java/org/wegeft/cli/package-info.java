/**
 * The {@code wegeft} command-line program (inspect checkpoints, merge adapters, list backends, benchmark kernels).
 */
@NullMarked
package org.wegeft.cli;

import org.jspecify.annotations.NullMarked;
