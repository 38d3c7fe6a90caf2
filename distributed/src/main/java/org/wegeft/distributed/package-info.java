/**
 * Data-parallel training on Apache Spark: {@link org.wegeft.distributed.SparkTrainer} runs N replicas of the same
 * {@link org.wegeft.nn.train.Trainer} as one barrier stage; the replicas find each other once through
 * {@code BarrierTaskContext.allGather} and then average their gradients every step with a
 * {@link org.wegeft.distributed.RingAllReduce} over TCP. Everything but {@code SparkTrainer} works without Spark.
 */
@NullMarked
package org.wegeft.distributed;

import org.jspecify.annotations.NullMarked;
