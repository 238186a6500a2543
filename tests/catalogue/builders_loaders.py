"""Builders for the loader rows of the catalogue (cases_loaders.yaml): documents too large, too deep or too
repetitive to write inline, and copies of real documents in another encoding or with one value changed."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
APPROVE = ROOT / "examples" / "applicants" / "shuiqitong-xw-approve.yaml"


def billion_laughs(path: Path, levels: int = 9, width: int = 9) -> None:
    """The classic alias bomb: each level repeats the previous one `width` times (9**9 values in all)."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def deep_block_sequence(path: Path, depth: int = 900) -> None:
    path.write_text("".join("  " * i + "-\n" for i in range(depth)) + "  " * depth + "- 1\n", encoding="utf-8")


def deep_flow(path: Path, depth: int = 100_000, opener: str = "[", closer: str = "]") -> None:
    path.write_text(opener * depth + closer * depth + "\n", encoding="utf-8")


def padded_applicant(path: Path, megabytes: int = 50) -> None:
    """The approving applicant followed by a comment block of the given size."""
    text = APPROVE.read_text(encoding="utf-8")
    filler = ("# " + "x" * 1022 + "\n") * (megabytes * 1024)
    path.write_text(text + filler, encoding="utf-8")


def applicant_json(path: Path, set: dict[str, Any] | None = None, raw: dict[str, str] | None = None) -> None:
    """The approving applicant as JSON, with dotted fields set to values, or to raw JSON text (`raw`)."""
    document = yaml.safe_load(APPROVE.read_text(encoding="utf-8"))
    for dotted, value in (set or {}).items():
        *parents, leaf = dotted.split(".")
        node = document
        for part in parents:
            node = node[part]
        node[leaf] = value
    text = json.dumps(document, ensure_ascii=False, default=str)
    for index, (dotted, literal) in enumerate((raw or {}).items()):
        marker = f"__RAW_{index}__"
        *parents, leaf = dotted.split(".")
        node = json.loads(text)
        target = node
        for part in parents:
            target = target[part]
        target[leaf] = marker
        text = json.dumps(node, ensure_ascii=False).replace(f'"{marker}"', literal)
    path.write_text(text, encoding="utf-8")


def long_digits_json(path: Path, digits: int = 4301) -> None:
    applicant_json(path, raw={"applicant.age": "9" * digits})


def long_string_applicant(path: Path, chars: int = 100_000) -> None:
    text = APPROVE.read_text(encoding="utf-8").replace("id: SQT-XW-0001", "id: " + "x" * chars, 1)
    path.write_text(text, encoding="utf-8")


def long_list_applicant(path: Path, items: int = 20_000) -> None:
    text = APPROVE.read_text(encoding="utf-8").replace(
        "special_status: []", "special_status: [" + ", ".join(["none"] * items) + "]", 1)
    path.write_text(text, encoding="utf-8")


def copy_encoded(path: Path, source: str, encoding: str = "gbk", replace: dict[str, str] | None = None) -> None:
    """A repository file re-encoded (GBK is the Chinese Windows default; utf-16 carries a BOM)."""
    text = (ROOT / source).read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    path.write_bytes(text.encode(encoding))


def copy_with_bytes(path: Path, source: str, find: str, insert: str) -> None:
    """A repository file with raw bytes (given as latin-1 text, e.g. '\\xff') inserted before `find`."""
    data = (ROOT / source).read_bytes()
    marker = find.encode("utf-8")
    at = data.index(marker)
    path.write_bytes(data[:at] + insert.encode("latin-1") + data[at:])


def garbage(path: Path, size: int = 4096, seed: int = 7) -> None:
    import random

    rng = random.Random(seed)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(size)))


def large_product(path: Path, megabytes: int = 9) -> None:
    text = (ROOT / "products" / "shuiqitong-xw.yaml").read_text(encoding="utf-8").replace(
        "code: shuiqitong-xw", "code: big-test", 1).replace(
        "name: 税企通-小微经营贷", "name: 大文件测试", 1)
    filler = ("# " + "x" * 1022 + "\n") * (megabytes * 1024)
    path.write_text(text + filler, encoding="utf-8")


def product_with_rule(path: Path, rule: str) -> None:
    """A copy of 税企通-小微经营贷 under a new code whose first rule is `rule`."""
    text = (ROOT / "products" / "shuiqitong-xw.yaml").read_text(encoding="utf-8").replace(
        "code: shuiqitong-xw", "code: rule-test", 1).replace(
        "name: 税企通-小微经营贷", "name: 规则测试", 1)
    old = "rule: params.min_age <= applicant.age <= params.max_age"
    assert old in text
    path.write_text(text.replace(old, "rule: " + json.dumps(rule, ensure_ascii=False), 1), encoding="utf-8")


def deep_expression_product(path: Path, depth: int = 100) -> None:
    product_with_rule(path, "abs(" * depth + "applicant.age" + ")" * depth + " >= 18")


def long_expression_product(path: Path, terms: int = 1200) -> None:
    product_with_rule(path, " + ".join(["applicant.age"] * terms) + " >= 18")
