/**
 * Modules with checkpoint parameter names, layers, losses; optimizers and the training loop live in
 * {@code org.wegeft.nn.train}, data loading in {@code org.wegeft.nn.data}.
 */
@NullMarked
package org.wegeft.nn;

import org.jspecify.annotations.NullMarked;
