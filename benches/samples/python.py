# Benchmark sample for codepulse (written for the benches; not third-party code).
import re
from collections import defaultdict
from dataclasses import dataclass, field


TOKEN_RE = re.compile(r"\s*(?:(\d+\.?\d*)|(\w+)|(.))")


@dataclass
class Token:
    kind: str
    text: str
    pos: int = 0


@dataclass
class Inventory:
    items: dict = field(default_factory=dict)
    reserved: dict = field(default_factory=dict)

    def add(self, sku, qty=1):
        if qty <= 0:
            raise ValueError("quantity must be positive")
        self.items[sku] = self.items.get(sku, 0) + qty
        return self.items[sku]

    def reserve(self, sku, qty):
        available = self.items.get(sku, 0) - self.reserved.get(sku, 0)
        if available < qty:
            return False
        self.reserved[sku] = self.reserved.get(sku, 0) + qty
        return True

    def release(self, sku, qty=None):
        held = self.reserved.get(sku, 0)
        if qty is None or qty >= held:
            self.reserved.pop(sku, None)
        else:
            self.reserved[sku] = held - qty

    def low_stock(self, threshold=5):
        return sorted(
            sku for sku, qty in self.items.items()
            if qty - self.reserved.get(sku, 0) < threshold and not sku.startswith("_")
        )


def tokenize(text):
    tokens = []
    for match in TOKEN_RE.finditer(text):
        number, word, other = match.groups()
        if number:
            tokens.append(Token("num", number, match.start()))
        elif word:
            tokens.append(Token("ident", word, match.start()))
        elif other and not other.isspace():
            tokens.append(Token("op", other, match.start()))
    return tokens


def sum_of_primes(max_value):
    total = 0
    for i in range(1, max_value + 1):
        for j in range(2, i):
            if i % j == 0:
                break
        else:
            total += i
    return total


def get_words(number):
    match number:
        case 1:
            return "one"
        case 2:
            return "a couple"
        case 3:
            return "a few"
        case _:
            return "lots"


def flatten(value, prefix="", out=None):
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, child in value.items():
            flatten(child, f"{prefix}.{key}" if prefix else key, out)
    elif isinstance(value, (list, tuple)):
        for index, child in enumerate(value):
            flatten(child, f"{prefix}[{index}]", out)
    else:
        out[prefix] = value
    return out


def parse_config(lines):
    section = None
    config = defaultdict(dict)
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if not section:
                raise SyntaxError(f"empty section at line {lineno}")
        elif "=" in line:
            if section is None:
                raise SyntaxError(f"key outside a section at line {lineno}")
            key, _, value = line.partition("=")
            value = value.strip()
            if value.lower() in ("true", "yes", "on"):
                value = True
            elif value.lower() in ("false", "no", "off"):
                value = False
            elif value.isdigit():
                value = int(value)
            config[section][key.strip()] = value
        else:
            raise SyntaxError(f"cannot parse line {lineno}: {line!r}")
    return dict(config)


def retry(times=3, exceptions=(Exception,)):
    def decorator(func):
        def wrapper(*args, **kwargs):
            last = None
            for attempt in range(times):
                try:
                    return func(*args, **kwargs)
                except exceptions as exc:
                    last = exc
                    if attempt == times - 1:
                        break
                finally:
                    pass
            raise RuntimeError(f"gave up after {times} attempts") from last
        return wrapper
    return decorator


def word_frequencies(text, stop_words=frozenset(), min_len=2):
    words = [w.lower() for w in re.findall(r"[A-Za-z']+", text) if len(w) >= min_len]
    counts = {}
    for word in words:
        if word in stop_words or word.startswith("'"):
            continue
        counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(w, c) for w, c in ranked if c > 1 or len(ranked) < 10]


def binary_search(items, target):
    lo, hi = 0, len(items) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if items[mid] == target:
            return mid
        elif items[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Matrix:
    def __init__(self, rows):
        if not rows or any(len(r) != len(rows[0]) for r in rows):
            raise ValueError("ragged matrix")
        self.rows = [list(r) for r in rows]

    def __mul__(self, other):
        if len(self.rows[0]) != len(other.rows):
            raise ValueError("shape mismatch")
        return Matrix([
            [sum(a * b for a, b in zip(row, col)) for col in zip(*other.rows)]
            for row in self.rows
        ])

    def transpose(self):
        return Matrix([list(col) for col in zip(*self.rows)])

    def is_symmetric(self):
        n = len(self.rows)
        return n == len(self.rows[0]) and all(
            self.rows[i][j] == self.rows[j][i] for i in range(n) for j in range(i + 1, n)
        )


normalize = lambda s: " ".join(s.split()).lower() if s else ""
