package org.wegeft.nn.train;

import java.util.Map;
import org.wegeft.nn.Module;

/** Evaluation metrics of a model (run in eval mode, without gradient recording), e.g. {"accuracy": 0.91}. */
@FunctionalInterface
public interface Evaluator {
    Map<String, Double> evaluate(Module model);
}
