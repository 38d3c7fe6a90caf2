/**
 * Optimizers (AdamW, SGD), learning-rate schedules, gradient clipping and the {@link org.wegeft.nn.train.Trainer}
 * loop with JSONL metrics and atomic checkpoints.
 */
@NullMarked
package org.wegeft.nn.train;

import org.jspecify.annotations.NullMarked;
