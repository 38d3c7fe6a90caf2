#!/usr/bin/env python3
"""Writes OUT_FILE: 400 JSONL text records, each three random long paragraphs of this repository's Markdown docs
(seed 0), the text the real-size benchmarks train on.

usage: docs_text.py OUT_FILE      (run from the repository root)
"""
import glob
import json
import random
import sys

paras = [p.strip() for f in sorted(glob.glob("docs/*.md")) + ["README.md"] for p in open(f).read().split("\n\n")
         if len(p.strip()) > 200]
random.seed(0)
with open(sys.argv[1], "w") as out:
    for _ in range(400):
        out.write(json.dumps({"text": " ".join(random.sample(paras, 3))}) + "\n")
