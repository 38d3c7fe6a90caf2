package org.wegeft.nn.train;

/**
 * Where a run stands, saved in a checkpoint's {@code trainer_state.json}: optimizer steps done, the epoch and
 * the micro-batches consumed in it, the seed that orders the batches, and the schedule's position and rate.
 */
public record TrainerState(long step, int epoch, long batchesIntoEpoch, long seed, long scheduleStep,
                           double learningRate) {
}
