#!/usr/bin/python3
"""Trains the project's byte-level BPE tokenizer on the King James Bible and writes it in Hugging Face format.

Corpus: Debian package `bible-kjv-text` (the KJV text, public domain: "The copyright for the King James Version
text of the Bible is expired", /usr/share/doc/bible-kjv-text/copyright), read through its `bible` program
(package `bible-kjv`):  apt-get install bible-kjv

    /usr/bin/python3 tools/tokenizer/train_tokenizer.py [--vocab 4000] [--out llm/src/test/resources/tokenizer/kjv]

Writes OUT/tokenizer.json (model BPE: vocab + ranked merges; ByteLevel pre-tokenizer and decoder; special tokens
<s> </s> <pad> <unk> as ids 0-3; a template post-processor that prepends <s>), OUT/tokenizer_config.json, and
OUT/expected_ids.json: ids of multilingual strings computed by bytebpe.ByteBpe (this project's own encoder, not
the Hugging Face library), which the Java tests compare the Hugging Face binding against. Deterministic.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bytebpe  # noqa: E402

SPECIALS = ["<s>", "</s>", "<pad>", "<unk>"]
FIXTURE_TEXTS = [
    "In the beginning God created the heaven and the earth.",
    "Hello, world! It's 2024 and we're testing: don't stop.",
    "Grüße aus Köln: Äpfel, Öl und Übermaß für die Straße.",
    "Le cœur a ses raisons que la raison ne connaît point; déjà vu, où est-ce ?",
    "Καλημέρα κόσμε· η γλώσσα μου έδωσαν ελληνική.",
    "你好，世界！今天天气很好。",
    "Emoji: 😀🚀👍🏽 👨‍👩‍👧 🇩🇪 ✨",
    "def add(a, b):\n\treturn a + b  # sum\n\nprint(add(1, 2))\n",
    "  leading and trailing spaces   ",
    "tabs\tand\nnewlines\r\nmixed \u00a0nbsp",
    "<s>special</s> tokens <pad> inside text",
    "日本語とEnglishのmix: 100€ ≈ ¥15,000",
    "",
]


def read_corpus():
    try:
        out = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit("train_tokenizer: cannot run `bible` (apt-get install bible-kjv): %s" % e)
    ref = re.compile(r"^\S+\d+:\d+ ")
    return [ref.sub("", line) for line in out.splitlines() if line.strip()]


def train(lines, vocab_size):
    counts = collections.Counter()
    for line in lines:
        counts.update(bytebpe.to_byte_chars(p) for p in bytebpe.pretokenize(line + "\n"))
    words = [list(w) for w in counts]
    freq = [counts[w] for w in counts]
    pairs = collections.Counter()
    where = collections.defaultdict(set)
    for wi, syms in enumerate(words):
        for a, b in zip(syms, syms[1:]):
            pairs[(a, b)] += freq[wi]
            where[(a, b)].add(wi)
    merges = []
    n_merges = vocab_size - len(SPECIALS) - 256
    while len(merges) < n_merges and pairs:
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pairs[best] < 2:
            break
        merges.append(best)
        a, b = best
        for wi in list(where[best]):
            syms, f = words[wi], freq[wi]
            for p, q in zip(syms, syms[1:]):
                pairs[(p, q)] -= f
                if pairs[(p, q)] <= 0:
                    del pairs[(p, q)]
                where[(p, q)].discard(wi)
            merged = bytebpe.merge_pair(syms, a, b)
            words[wi] = merged
            for p, q in zip(merged, merged[1:]):
                pairs[(p, q)] += f
                where[(p, q)].add(wi)
        where.pop(best, None)
    return merges


def build_vocab(merges):
    vocab = {}
    for b in range(256):
        vocab[bytebpe.BYTE_TO_CHAR[b]] = len(SPECIALS) + b
    for a, b in merges:
        if a + b not in vocab:  # two merges can spell the same token
            vocab[a + b] = len(SPECIALS) + len(vocab)
    return vocab


def tokenizer_json(vocab, merges):
    added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, s in enumerate(SPECIALS)]
    full_vocab = {s: i for i, s in enumerate(SPECIALS)}
    full_vocab.update(vocab)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}},
        },
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": full_vocab, "merges": [a + " " + b for a, b in merges]},
    }


def tokenizer_config(max_len):
    return {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
            "pad_token": "<pad>", "unk_token": "<unk>", "add_bos_token": True, "add_eos_token": False,
            "model_max_length": max_len, "clean_up_tokenization_spaces": False,
            "added_tokens_decoder": {str(i): {"content": s, "special": True} for i, s in enumerate(SPECIALS)}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vocab", type=int, default=4000)
    ap.add_argument("--out", default="llm/src/test/resources/tokenizer/kjv")
    args = ap.parse_args()
    lines = read_corpus()
    merges = train(lines, args.vocab)
    vocab = build_vocab(merges)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab, merges), f, ensure_ascii=False, indent=None, separators=(",", ":"))
    with open(os.path.join(args.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_config(2048), f, ensure_ascii=False, indent=2)
    bpe = bytebpe.ByteBpe(vocab, merges, {s: i for i, s in enumerate(SPECIALS)}, bos=0)
    cases = []
    for t in FIXTURE_TEXTS:
        ids = bpe.encode(t)
        assert bpe.decode(ids) == t, "round trip failed for %r" % t
        cases.append({"text": t, "ids": ids, "ids_with_special_tokens": bpe.encode(t, add_special_tokens=True)})
    with open(os.path.join(args.out, "expected_ids.json"), "w", encoding="utf-8") as f:
        f.write('{"source": "tools/tokenizer/bytebpe.py (independent of the Hugging Face library)",\n')
        f.write(' "vocab_size": %d,\n "cases": [\n' % (len(SPECIALS) + len(vocab)))
        f.write(",\n".join("  " + json.dumps(c, ensure_ascii=False) for c in cases))
        f.write("\n ]\n}\n")
    total = sum(len(bpe.encode(l)) for l in lines[:2000])
    chars = sum(len(l) for l in lines[:2000])
    print("vocab %d (%d merges), corpus %d verses; %.2f chars/token on the first 2000 verses"
          % (len(SPECIALS) + len(vocab), len(merges), len(lines), chars / total))


if __name__ == "__main__":
    main()
