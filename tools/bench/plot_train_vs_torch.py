#!/usr/bin/python3
"""Plots the output of tools/bench/train_vs_torch.sh: step time and peak memory per model and method.

  /usr/bin/python3 tools/bench/plot_train_vs_torch.py RUN.log OUT.png

RUN.log holds the script's "who {json}" lines; each bar is that side's best (lowest) median over the rounds,
as in the script's table. Needs matplotlib (Debian: python3-matplotlib).
"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SERIES = [  # (key in the log, label, colour)
    ("ours-wegeft", "WeGeFT (ours)", "#d62728"),
    ("ours-lora", "LoRA (ours)", "#1f77b4"),
    ("ours-full", "full FT (ours)", "#2ca02c"),
    ("ours-wegeft-gc", "WeGeFT + grad ckpt (ours)", "#ff9896"),
    ("ours-lora-gc", "LoRA + grad ckpt (ours)", "#aec7e8"),
    ("ours-full-gc", "full FT + grad ckpt (ours)", "#98df8a"),
    ("ours-wegeft-sgc", "WeGeFT + selective ckpt (ours)", "#e377c2"),
    ("ours-lora-sgc", "LoRA + selective ckpt (ours)", "#17becf"),
    ("ours-full-sgc", "full FT + selective ckpt (ours)", "#bcbd22"),
    ("ours-wegeft-acc", "WeGeFT, 2 micro-batches (ours)", "#8c564b"),
    ("ours-lora-acc", "LoRA, 2 micro-batches (ours)", "#c49c94"),
    ("ours-full-acc", "full FT, 2 micro-batches (ours)", "#7f7f7f"),
    ("ours-wegeft-accra", "WeGeFT, 2 micro-batches + recompute (ours)", "#ff7f0e"),
    ("ours-lora-accra", "LoRA, 2 micro-batches + recompute (ours)", "#ffbb78"),
    ("ours-full-accra", "full FT, 2 micro-batches + recompute (ours)", "#9467bd"),
    ("torch-native-wegeft", "WeGeFT, PyTorch (AVX-512 OpenBLAS)", "#404040"),
    ("torch-env-wegeft", "WeGeFT, PyTorch (env OpenBLAS)", "#c7c7c7"),
]
MODELS = ["vit-s16", "llama-tiny"]


def main():
    best = {}
    for line in open(sys.argv[1]):
        who, _, js = line.partition(" ")
        if not js.startswith("{"):
            continue
        d = json.loads(js)
        if d.get("bench") != "train":
            continue
        key = (who, d["model"])
        if key not in best or d["step_ms_median"] < best[key]["step_ms_median"]:
            best[key] = d
    fig, axes = plt.subplots(1, 2, figsize=(17, 6))
    width = 0.9 / len(SERIES)
    for ax, field, title in ((axes[0], "step_ms_median", "training step (median, ms)"),
                             (axes[1], "peak_rss_mb", "peak resident memory (MB)")):
        for i, (key, label, colour) in enumerate(SERIES):
            xs, ys = [], []
            for m, model in enumerate(MODELS):
                d = best.get((key, model))
                if d is not None:
                    xs.append(m + (i - (len(SERIES) - 1) / 2) * width)
                    ys.append(d[field])
            bars = ax.bar(xs, ys, width, label=label, color=colour, edgecolor="black", linewidth=0.4)
            for b, y in zip(bars, ys):
                ax.text(b.get_x() + b.get_width() / 2, y, f"{y:.0f}", ha="center", va="bottom", fontsize=6.5)
        ax.set_xticks(range(len(MODELS)))
        ax.set_xticklabels(["ViT-S/16, batch 8", "llama-tiny, batch 4 × 256"])
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=6, frameon=False)
    fig.suptitle("wegeft bench train vs PyTorch 1.13, 2 CPU cores (AMD EPYC Zen 5)", fontsize=11)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
