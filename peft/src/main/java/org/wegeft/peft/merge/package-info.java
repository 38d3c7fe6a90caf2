/**
 * Merging a PEFT adapter folder into a Hugging Face model folder on disk, streaming one tensor at a time:
 * {@link org.wegeft.peft.merge.MergePlan} validates every input from file headers,
 * {@link org.wegeft.peft.merge.MergeWriter} writes the merged shards and renames them into place.
 */
@NullMarked
package org.wegeft.peft.merge;

import org.jspecify.annotations.NullMarked;
