package org.wegeft.vision.train;

/**
 * One fine-tuning run, as written to {@code results.json}.
 *
 * @param method          the method's registry name
 * @param trainableParams parameters updated by training (the new head included)
 * @param totalParams     every parameter of the adapted model (adapter tensors included)
 * @param testAccuracy    top-1 accuracy on the test file, in [0, 1]
 * @param testCount       test images
 * @param trainSeconds    wall time of the training loop (no loading, no evaluation)
 * @param peakMemoryMb    peak resident memory in MiB (the process's VmHWM or a sampled VmRSS); -1 when unknown
 * @param lr              peak learning rate
 * @param steps           optimizer steps
 * @param trainImagesPerSecond training images consumed per second
 * @param seed            the seed of the head, the adapter tensors and the data order
 * @param medianStepMs    the median wall time of one optimizer step, in milliseconds (-1 when unknown)
 * @param peakTensorMb    the most memory tensors held at once during the run, in MiB (the off-heap pool's peak of
 *                        allocated blocks, as {@code torch.cuda.max_memory_allocated} counts a GPU's: weights,
 *                        activations, gradients and optimizer state, without the JVM); -1 when unknown
 */
public record FineTuneResult(String method, long trainableParams, long totalParams, double testAccuracy,
        long testCount, double trainSeconds, double peakMemoryMb, double lr, long steps,
        double trainImagesPerSecond, long seed, double medianStepMs, double peakTensorMb) {
    /** trainable / total, in percent. */
    public double trainablePercent() {
        return totalParams == 0 ? 0 : 100.0 * trainableParams / totalParams;
    }

    public FineTuneResult withPeakMemoryMb(double mb) {
        return new FineTuneResult(method, trainableParams, totalParams, testAccuracy, testCount, trainSeconds, mb, lr,
                steps, trainImagesPerSecond, seed, medianStepMs, peakTensorMb);
    }
}
