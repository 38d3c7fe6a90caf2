package org.wegeft.examples

import java.nio.file.Path
import java.util.SplittableRandom
import org.wegeft.nn.data.LoaderOptions
import org.wegeft.nn.train.LrSchedule
import org.wegeft.nn.train.TrainConfig
import org.wegeft.nn.train.Trainer
import org.wegeft.peft.PeftModel
import org.wegeft.vision.VisionTransformer
import org.wegeft.vision.data.ImageBatch
import org.wegeft.vision.data.ImageLoaders
import org.wegeft.vision.data.ImagePipeline
import org.wegeft.vision.train.Classification
import org.wegeft.peft.FineTuningMethods
import org.wegeft.vision.train.VitFineTuning

/**
 * Fine-tuning a pretrained ViT with WeGeFT from Kotlin: load the model folder, give it a head for the new labels,
 * inject WeGeFT (rank 16 on `attn.proj`, tied across blocks, the head trained too), train with the library's
 * [Trainer], evaluate, and optionally save the PEFT adapter folder.
 *
 * Run it from the repository root as the README runs `FineTuneVit` (same class path and JVM flags), with the main
 * class `org.wegeft.examples.FineTuneDigits [steps]`.
 */
object FineTuneDigits {
    /** What one run produced. */
    data class Result(val trainableParams: Long, val totalParams: Long, val steps: Long, val testAccuracy: Double,
                      val testCount: Long)

    @JvmStatic
    @JvmOverloads
    fun run(modelDir: Path, trainFile: Path, testFile: Path, steps: Long, seed: Long = 0,
            adapterOut: Path? = null): Result {
        val model = VisionTransformer.fromPretrained(modelDir)
        val train = ImageLoaders.open(trainFile, "image", "label")
        val test = ImageLoaders.open(testFile, "image", "label")
        model.resetHead(train.numClasses("label"), SplittableRandom(seed))

        val peft = VitFineTuning.apply(FineTuningMethods.named("wegeft"), model, 16, listOf("attn.proj"), seed)
        println(peft.trainableReport())

        val cfg = model.config()
        val pipeline = ImagePipeline.resize(cfg.imgSize(), false, cfg.imageMean(), cfg.imageStd())
        val trainConfig = TrainConfig.steps(steps, 5e-3)
            .withSchedule(LrSchedule.Kind.COSINE, steps / 10, 0.0)
            .withWeightDecay(0.01)
            .withSeed(seed)
        val result = ImageLoaders.classification(train, "image", "label", null, pipeline,
            LoaderOptions.train(64, seed).withWorkers(1)).use { loader ->
            val batches = loader.asBatchSource({ b: ImageBatch -> b }, { b: ImageBatch -> b.batchSize().toLong() })
            Trainer(model, trainConfig, Classification.loss(0f), batches).run()
        }
        val accuracy = ImageLoaders.classification(test, "image", "label", null, pipeline,
            LoaderOptions.eval(256).withWorkers(1)).use { loader -> Classification.evaluate(model, loader) }
        adapterOut?.let { peft.save(it) }
        val report = peft.trainableReport()
        return Result(report.trainable(), report.total(), result.steps(), accuracy.accuracy(), accuracy.count())
    }

    @JvmStatic
    fun main(args: Array<String>) {
        val steps = args.firstOrNull()?.toLongOrNull() ?: 150L
        val r = run(Path.of("examples/models/vit-fmnist"), Path.of("examples/data/digits-train.arrow"),
            Path.of("examples/data/digits-test.arrow"), steps)
        println("WeGeFT: ${r.trainableParams} trainable parameters, ${r.steps} steps, " +
            "test accuracy %.2f %% of ${r.testCount}".format(100 * r.testAccuracy))
    }
}
