/**
 * Data sets and loading: {@link org.wegeft.nn.data.ArrowDataset} over Arrow IPC files (file and stream format,
 * as written by Hugging Face {@code datasets}), {@link org.wegeft.nn.data.ArrowWriter} to write them, and
 * {@link org.wegeft.nn.data.DataLoader}: seeded shuffling, batching, collation and background prefetch.
 */
@NullMarked
package org.wegeft.nn.data;

import org.jspecify.annotations.NullMarked;
