package org.wegeft.nn.data;

/**
 * Reads (and transforms) sample {@code index}. A {@link DataLoader} makes one reader per worker thread, so a
 * reader may keep scratch buffers between calls; it must not hand out a buffer it will overwrite.
 * {@code sampleSeed} is derived from (loader seed, epoch, index) only, so random augmentation does not depend on
 * which worker reads the sample or when.
 *
 * @param <S> the sample type
 */
@FunctionalInterface
public interface SampleReader<S> {
    S read(int index, long sampleSeed);
}
