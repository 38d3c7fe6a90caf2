package org.wegeft.peft;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.wegeft.nn.Linear;
import org.wegeft.tensor.Tensor;

/**
 * An adapter method, the unit of extension of this library (what Hugging Face PEFT keeps per {@code peft_type}):
 * its {@code adapter_config.json} fields, the tensors each target gets, the tuner layer that wraps a frozen
 * {@link Linear}, and ΔW for merging. Everything else (planning targets, inject, merge and unmerge, save and load,
 * counting, checking adapter files) is generic and asks the method through this interface. A method lives in one
 * package with its config record and its layer ({@code org.wegeft.peft.wegeft}, {@code org.wegeft.peft.lora}) and is
 * listed once in {@link FineTuningMethods}; a plug-in outside this library calls {@link FineTuningMethods#register}.
 * As an {@link AdapterRecipe} it also says how a {@link MethodOptions} becomes its config and what it costs to train.
 */
public interface AdapterMethod extends AdapterRecipe {
    /** PEFT's {@code peft_type}, as written in {@code adapter_config.json} ({@code "WEGEFT"}, {@code "LORA"}). */
    String peftType();

    /**
     * The prefix of the module names its tensors are registered under ({@code "wegeft_"}, {@code "lora_"}): a key of
     * an adapter file with a path segment starting with it is one of this method's tensors.
     */
    String tensorPrefix();

    /** The {@code adapter_config.json} fields it reads beyond the common ones ({@link #commonFields()}). */
    Set<String> fields();

    /**
     * Which of PEFT's shared fields ({@link AdapterConfigFields#COMMON}) its config has, read and written for it:
     * all of them unless the method lacks some ((IA)³ has no {@code r}, {@code bias} or layer selection).
     */
    default Set<String> commonFields() {
        return AdapterConfigFields.COMMON;
    }

    /** Its config from a parsed {@code adapter_config.json}; invalid values throw {@link AdapterConfigException}. */
    AdapterConfig parse(AdapterConfigFields f);

    /** Writes its own {@link #fields()} of {@code config} into {@code json}. */
    void write(AdapterConfig config, ObjectNode json);

    /**
     * The tensors of a target of {@code plan}, named under the target's {@link AdapterTarget#owner()} (e.g.
     * {@code wegeft_phi.weight}) or model-wide, with their shapes, in the order {@link #deltaW} takes them. Targets
     * that share an owner share these tensors.
     */
    List<AdapterTensor> tensors(AdapterPlan plan, AdapterTarget target);

    /**
     * The tuner layer for one target of {@code plan}, wrapping its frozen {@code base}, with fresh tensors drawn from
     * {@code rng}.
     * @param shared tensors already made, by owner path (or another key the method picks for model-wide ones): a
     *               later member of a tie group takes its owner's instead of making new ones (the method puts what
     *               it makes here)
     */
    AdapterLayer wrap(AdapterPlan plan, Linear base, AdapterTarget target, Map<String, List<AdapterWeight>> shared,
            SplittableRandom rng);

    /**
     * ΔW (d_out, d_in) of {@code target} in float32 from its base weight (any float dtype) and its tensors in
     * {@link #tensors}' order, without autograd.
     */
    Tensor deltaW(AdapterPlan plan, AdapterTarget target, Tensor w, List<Tensor> tensors);

    /**
     * The merged bias (d_out) in float32 when merging changes the target's bias ((IA)³ scales it), else null; from
     * the base bias and the tensors in {@link #tensors}' order, without autograd.
     */
    default @Nullable Tensor mergedBias(AdapterPlan plan, AdapterTarget target, Tensor bias, List<Tensor> tensors) {
        return null;
    }
}
