"""A small byte-level BPE (GPT-2 style), written for this project: pre-tokenizer, byte alphabet, encoder, decoder.

Used by train_tokenizer.py to train the project's tokenizer and, independently of the Java binding, to compute
the committed fixture of expected ids. Standard library only (no `regex`, no `tokenizers`).

Pre-tokenization reproduces Hugging Face's ByteLevel pre-tokenizer with use_regex=true and
add_prefix_space=false, i.e. the GPT-2 pattern
    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
hand-coded as a scanner (Python's `re` has no \\p{L}); \\s is the Unicode White_Space property as in Oniguruma.
"""
import unicodedata

# Unicode White_Space property (what \s matches in the Rust tokenizers' regex engine).
WHITE_SPACE = set(chr(c) for c in list(range(0x09, 0x0E)) + [0x20, 0x85, 0xA0, 0x1680]
                  + list(range(0x2000, 0x200B)) + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
CONTRACTIONS = ["s", "t", "re", "ve", "m", "ll", "d"]


def _cls(ch):
    """'s' whitespace, 'L' letter, 'N' number, 'O' anything else."""
    if ch in WHITE_SPACE:
        return "s"
    cat = unicodedata.category(ch)
    if cat[0] == "L":
        return "L"
    if cat[0] == "N":
        return "N"
    return "O"


def pretokenize(text):
    """Splits text the way the GPT-2 regex does (leftmost alternative that matches, each greedy)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        j = _match_at(text, i, n)
        out.append(text[i:j])
        i = j
    return out


def _run(text, i, n, klass):
    while i < n and _cls(text[i]) == klass:
        i += 1
    return i


def _match_at(text, i, n):
    ch = text[i]
    if ch == "'":
        for c in CONTRACTIONS:
            if text.startswith(c, i + 1):
                return i + 1 + len(c)
    for klass in ("L", "N", "O"):  # ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+'
        if _cls(ch) == klass:
            return _run(text, i, n, klass)
        if ch == " " and i + 1 < n and _cls(text[i + 1]) == klass:
            return _run(text, i + 1, n, klass)
    end = _run(text, i, n, "s")  # '\s+(?!\S)': a whitespace run, less its last char when a non-space follows
    if end == n:
        return end
    if end - 1 > i:
        return end - 1
    return end  # '\s+': one whitespace char before a non-space


def bytes_to_unicode():
    """GPT-2's reversible map from the 256 byte values to printable characters."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    chars = keep[:]
    extra = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(keep, chars)}


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def merge_pair(syms, a, b):
    """syms with every occurrence of the pair (a, b) merged into a + b, left to right, non-overlapping."""
    merged, k = [], 0
    while k < len(syms):
        if k < len(syms) - 1 and syms[k] == a and syms[k + 1] == b:
            merged.append(a + b)
            k += 2
        else:
            merged.append(syms[k])
            k += 1
    return merged


def to_byte_chars(piece):
    return "".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))


class ByteBpe:
    """Encoder/decoder over a vocab (token -> id), ranked merges and special tokens (content -> id)."""

    def __init__(self, vocab, merges, specials, bos=None):
        self.vocab = vocab
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.specials = specials
        self.bos = bos
        self.id_to_token = {i: t for t, i in vocab.items()}
        self.id_to_token.update({i: t for t, i in specials.items()})

    def _bpe(self, word):
        syms = list(word)
        while len(syms) > 1:
            best, best_rank = None, None
            for k in range(len(syms) - 1):
                r = self.ranks.get((syms[k], syms[k + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = k, r
            if best is None:
                break
            syms = merge_pair(syms, syms[best], syms[best + 1])
        return syms

    def _split_specials(self, text):
        """Special tokens are matched in the raw text first (longest first), as Hugging Face's added tokens."""
        parts, i, start = [], 0, 0
        order = sorted(self.specials, key=len, reverse=True)
        while i < len(text):
            hit = next((s for s in order if text.startswith(s, i)), None)
            if hit is None:
                i += 1
                continue
            if start < i:
                parts.append((False, text[start:i]))
            parts.append((True, hit))
            i += len(hit)
            start = i
        if start < len(text):
            parts.append((False, text[start:]))
        return parts

    def encode(self, text, add_special_tokens=False):
        ids = [self.bos] if add_special_tokens and self.bos is not None else []
        for special, part in self._split_specials(text):
            if special:
                ids.append(self.specials[part])
                continue
            for piece in pretokenize(part):
                ids.extend(self.vocab[s] for s in self._bpe(to_byte_chars(piece)))
        return ids

    def decode(self, ids, skip_special=False):
        out, buf = [], bytearray()
        for i in ids:
            tok = self.id_to_token[i]
            if tok in self.specials:
                out.append(buf.decode("utf-8", errors="replace"))
                buf = bytearray()
                if not skip_special:
                    out.append(tok)
            else:
                buf.extend(CHAR_TO_BYTE[c] for c in tok)
        out.append(buf.decode("utf-8", errors="replace"))
        return "".join(out)
