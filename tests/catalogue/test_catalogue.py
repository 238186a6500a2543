"""The hostile and careless input catalogue: one row per case, run as the `pf` command in a fresh folder.

Rows live in `cases_<topic>.yaml` next to this file (one file per topic, so several authors add rows at
once); inputs too big or too binary to write as text come from builder functions in `builders_<topic>.py`
(`def name(path: Path, **args) -> None`). For every row the run must give the expected exit code and never 3
(an internal error), print no traceback, finish within the row's timeout (enforced by the subprocess, so a
hang fails that row only), and show the message fragment and the location fragment where one exists.

A row:

    - id: applicant-yaml-billion-laughs     # unique across all files, kebab-case
      about: why the row exists
      files: {a.yaml: {text: "..."}, b.parquet: {builder: name, args: {}}, p/x.yaml: {copy: products/x.yaml, replace: {}}}
      argv: [evaluate, shuiqitong-xw, a.yaml, --date, "2026-11-25"]
      stdin: null        # optional text
      env: {}            # added to the environment (PF_PACKS and PF_DEBUG are cleared first)
      exit: 2
      message: "alias"   # in stderr (stdout and stderr when exit is 0 or 1); a list means every fragment
      location: "a.yaml:1:"
      absent: []         # fragments that must not appear anywhere in the output
      timeout: 30

A file may also be `{base64: ...}` (exact bytes), `{dir: true}` (an empty folder) or `{fifo: true}` (a named
pipe), and take `mode:` (e.g. 0 for an unreadable file). `{root}` (the repository) and `{tmp}` (the run's
folder) are substituted in argv, env, stdin, file texts, replacements, builder string arguments and the
expected fragments.
"""
from __future__ import annotations

import base64
import ctypes
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
INTERNAL_ERROR = 3
# Cleared from the inherited environment so every row starts from the same place; a row sets them in `env`.
CLEARED_ENV = ("PF_PACKS", "PF_DEBUG")


class FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    base64: str | None = None
    builder: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    copy_from: str | None = Field(default=None, alias="copy")
    replace: dict[str, str] = Field(default_factory=dict)
    dir: bool = False
    fifo: bool = False
    mode: int | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FileSpec:
        sources = [self.text is not None, self.base64 is not None, self.builder is not None, self.copy_from is not None,
                   self.dir, self.fifo]
        if sum(sources) != 1:
            raise ValueError("a file needs exactly one of text, base64, builder, copy, dir, fifo")
        if self.replace and self.copy_from is None:
            raise ValueError("replace applies to copy only")
        if self.args and self.builder is None:
            raise ValueError("args apply to builder only")
        return self


Fragments = str | list[str] | None


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    about: str = ""
    files: dict[str, FileSpec] = Field(default_factory=dict)
    argv: list[str]
    stdin: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    exit: int
    message: Fragments = None
    location: Fragments = None
    absent: list[str] = Field(default_factory=list)
    timeout: float = 30

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not KEBAB.match(value):
            raise ValueError(f"id {value!r} is not kebab-case")
        return value

    @field_validator("exit")
    @classmethod
    def _not_internal(cls, value: int) -> int:
        if value == INTERNAL_ERROR:
            raise ValueError("exit 3 is an internal error; no row may expect it")
        return value

    @field_validator("argv", mode="before")
    @classmethod
    def _strings(cls, value: Any) -> Any:
        # YAML reads `--n 5` as a number; the command line only ever sees text.
        if isinstance(value, list):
            return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
        return value


def _load_cases() -> tuple[list[tuple[str, Case]], list[str]]:
    cases: list[tuple[str, Case]] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(HERE.glob("cases_*.yaml")):
        try:
            rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        if not isinstance(rows, list):
            problems.append(f"{path.name}: a case file is a YAML list of rows")
            continue
        for index, row in enumerate(rows):
            try:
                case = Case.model_validate(row)
            except ValidationError as exc:
                label = row.get("id") if isinstance(row, dict) else None
                problems.append(f"{path.name} row {index} ({label}): {exc}")
                continue
            if case.id in seen:
                problems.append(f"{path.name}: id {case.id} is also in {seen[case.id]}")
                continue
            seen[case.id] = path.name
            cases.append((path.name, case))
    return cases, problems


def _load_builders() -> tuple[dict[str, Callable[..., None]], list[str]]:
    builders: dict[str, Callable[..., None]] = {}
    owner: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(HERE.glob("builders_*.py")):
        spec = importlib.util.spec_from_file_location(f"catalogue_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module: ModuleType = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, value in vars(module).items():
            if name.startswith("_") or not callable(value) or getattr(value, "__module__", None) != module.__name__:
                continue
            if isinstance(value, type):
                continue
            if name in builders:
                problems.append(f"builder {name} is defined in both {owner[name]} and {path.name}")
                continue
            builders[name] = value
            owner[name] = path.name
    return builders, problems


CASES, CASE_PROBLEMS = _load_cases()
BUILDERS, BUILDER_PROBLEMS = _load_builders()


def _command() -> list[str]:
    """`python -m cli` when cli.py runs main as a script, else an explicit call of cli.main()."""
    spec = importlib.util.find_spec("cli")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    if origin is not None and origin.is_file() and '__name__ == "__main__"' in origin.read_text(encoding="utf-8"):
        return [sys.executable, "-m", "cli"]
    return [sys.executable, "-c", "import cli; cli.main()"]


COMMAND = _command()


def _substitute(value: Any, tmp: Path) -> Any:
    if isinstance(value, str):
        return value.replace("{root}", str(ROOT)).replace("{tmp}", str(tmp))
    if isinstance(value, list):
        return [_substitute(v, tmp) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, tmp) for k, v in value.items()}
    return value


def _write_files(case: Case, tmp: Path) -> None:
    # Modes are applied last, so an unreadable folder does not stop its own files from being written.
    modes: list[tuple[Path, int]] = []
    for name, spec in case.files.items():
        target = tmp / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if spec.text is not None:
            target.write_bytes(_substitute(spec.text, tmp).encode("utf-8"))
        elif spec.base64 is not None:
            target.write_bytes(base64.b64decode(spec.base64))
        elif spec.builder is not None:
            if spec.builder not in BUILDERS:
                pytest.fail(f"{case.id}: no builder named {spec.builder} in tests/catalogue/builders_*.py")
            BUILDERS[spec.builder](target, **_substitute(spec.args, tmp))
        elif spec.copy_from is not None:
            text = (ROOT / spec.copy_from).read_text(encoding="utf-8")
            for old, new in spec.replace.items():
                if old not in text:
                    pytest.fail(f"{case.id}: {old!r} is not in {spec.copy_from}; the copy would be unchanged")
                text = text.replace(old, _substitute(new, tmp))
            target.write_bytes(text.encode("utf-8"))
        elif spec.dir:
            target.mkdir(parents=True, exist_ok=True)
        elif spec.fifo:
            os.mkfifo(target)
        if spec.mode is not None:
            modes.append((target, spec.mode))
    for target, mode in modes:
        target.chmod(mode)


_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _PR_CAPBSET_DROP = 1, 2, 24


def _drop_root_file_powers() -> None:
    """Run as root the way a user runs: without the capabilities that read any file whatever its mode, so
    an unreadable file is unreadable (removed from the bounding set, so the exec'd process never has them)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _can_drop_root_file_powers() -> bool:
    if os.geteuid() != 0:
        return True
    try:
        subprocess.run(["true"], preexec_fn=_drop_root_file_powers, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def _fragments(value: Fragments, tmp: Path) -> list[str]:
    if value is None:
        return []
    return [_substitute(v, tmp) for v in ([value] if isinstance(value, str) else value)]


def _show(result_out: str, result_err: str) -> str:
    return f"\n--- stdout ---\n{result_out[-3000:]}\n--- stderr ---\n{result_err[-3000:]}"


def test_catalogue_files_are_well_formed() -> None:
    assert not CASE_PROBLEMS + BUILDER_PROBLEMS, "\n".join(CASE_PROBLEMS + BUILDER_PROBLEMS)
    missing = sorted({spec.builder for _, case in CASES for spec in case.files.values()
                      if spec.builder is not None and spec.builder not in BUILDERS})
    assert not missing, f"rows name builders that no builders_*.py defines: {missing}"


@pytest.mark.parametrize("case", [case for _, case in CASES], ids=[case.id for _, case in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    tmp = tmp_path / "run"
    tmp.mkdir()
    needs_unreadable = any(spec.mode is not None for spec in case.files.values())
    drop = os.geteuid() == 0 and needs_unreadable
    if drop and not _can_drop_root_file_powers():
        pytest.skip("running as root without CAP_SETPCAP: an unreadable file cannot be made unreadable")
    _write_files(case, tmp)
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(_substitute(case.env, tmp))
    argv = COMMAND + _substitute(case.argv, tmp)
    try:
        result = subprocess.run(
            argv, cwd=tmp, env=env, input=_substitute(case.stdin, tmp) if case.stdin is not None else None,
            capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=case.timeout,
            preexec_fn=_drop_root_file_powers if drop else None,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.id}: no answer within {case.timeout} s (a hang): pf {' '.join(case.argv)}")
    finally:
        for path in [tmp, *tmp.rglob("*")]:
            if not path.is_symlink():
                try:
                    path.chmod(0o700)  # so the temp folder can be removed
                except OSError:
                    pass
    out, err = result.stdout, result.stderr
    shown = _show(out, err)
    assert result.returncode != INTERNAL_ERROR, f"{case.id}: internal error (exit 3){shown}"
    assert "Traceback" not in out + err, f"{case.id}: a traceback reached the user{shown}"
    assert result.returncode == case.exit, f"{case.id}: exit {result.returncode}, expected {case.exit}{shown}"
    searched = err if case.exit >= 2 else out + err
    for fragment in _fragments(case.message, tmp):
        assert fragment in searched, f"{case.id}: message fragment {fragment!r} not found{shown}"
    for fragment in _fragments(case.location, tmp):
        assert fragment in searched, f"{case.id}: location fragment {fragment!r} not found{shown}"
    for fragment in _fragments(case.absent, tmp):
        assert fragment not in out + err, f"{case.id}: {fragment!r} must not appear{shown}"
