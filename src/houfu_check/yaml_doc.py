"""Small YAML documents of a data folder (``submission.yaml``, ``waivers.yaml``), read safely.

Plain data only (the safe loader builds no Python object), at most 1 MiB, UTF-8, no key
written twice, and no anchors or aliases (a data file has no use for them, and refusing them
makes an alias bomb impossible). Problems come back located: file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from houfu_check.errors import ErrorLog, Problem, ProblemsFound

MAX_BYTES = 1 << 20
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, with dates left as the text written: each field reads its own dates,
    so that ``2022-13-45`` is refused at its line and field, not while parsing the file."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def read_yaml(path: Path, display: str, problem: type[Problem]) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (for line numbers); :class:`ProblemsFound` otherwise."""
    log = ErrorLog()
    data = read_bounded(path, display, problem, MAX_BYTES)
    try:
        loader = _Loader(data.decode("utf-8-sig"))
        try:
            node = loader.get_single_node()
            _refuse_aliases(node, display, problem, log, set())
            raw = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        _fail(log, problem(file=display, note="the file is not UTF-8 text", note_zh="文件不是 UTF-8 文本"))
    except ValueError as exc:  # YAML reads 2022-13-01 as a date that does not exist
        from houfu_check.messages_zh import note_zh

        note = f"a value cannot be read: {exc}"  # the catalogue knows the common ones (a date)
        _fail(log, problem(file=display, note=note, note_zh=note_zh(note) or "有一个值无法读取;请检查这个值"))
    except TypeError:  # a complex key (? [a, b]) cannot key a mapping
        note, zh = "not valid here: a key must be plain text", "此处无效:键必须是普通文本"
        _fail(log, problem(file=display, note=note, note_zh=zh))
    except RecursionError:  # the pure-Python parser on very deep nesting (libyaml has a limit)
        _fail(
            log,
            problem(
                file=display, note="not valid YAML: nested too deeply", note_zh="不是有效的 YAML:嵌套过深"
            ),
        )
    except yaml.YAMLError as exc:
        line, note = _yaml_problem(exc, data)
        _fail(log, problem(file=display, line=line, note=note, note_zh=_yaml_problem_zh(exc, data)))
    return raw, node


def read_bounded(path: Path, display: str, problem: type[Problem], limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file: a bigger one, a pipe, a device or a folder is
    refused by name before anything is read (``/dev/zero`` never fills the memory)."""
    log = ErrorLog()
    try:
        if not path.exists() and not path.is_symlink():
            note = "cannot read the file: No such file or directory"
            _fail(log, problem(file=display, note=note, note_zh="无法读取文件:文件不存在"))
        if not path.is_file():
            what = "a folder" if path.is_dir() else "not a regular file (a pipe, a device or a broken link)"
            zh = "它是文件夹" if path.is_dir() else "它不是普通文件(管道、设备或失效的链接)"
            _fail(
                log,
                problem(
                    file=display, note=f"cannot read the file: it is {what}", note_zh=f"无法读取文件:{zh}"
                ),
            )
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        _fail(
            log,
            problem(
                file=display,
                note=f"cannot read the file: {exc.strerror}",
                note_zh=f"无法读取文件({exc.strerror})",
            ),
        )
    if len(data) > limit:
        mib = limit // (1 << 20)
        _fail(
            log,
            problem(file=display, note=f"the file is larger than {mib} MiB", note_zh=f"文件大于 {mib} MiB"),
        )
    return data


_NEEDS_QUOTES = re.compile(r"^\s*-?\s*[\w.]+\s*:\s*([<>=!%@`|&*?][^#]*?)\s*(#.*)?$")


def yaml_note(exc: yaml.YAMLError, data: bytes) -> str:
    """A YAML error in words: where a value starts with a character YAML reads as syntax
    (``target: >= 90%``), the advice to quote it."""
    return _yaml_problem(exc, data)[1]


def yaml_line(exc: yaml.YAMLError, data: bytes) -> int | None:
    """The line a YAML error is about: the line of the value to quote, else where the parser
    stopped."""
    return _yaml_problem(exc, data)[0]


def _yaml_problem(exc: yaml.YAMLError, data: bytes) -> tuple[int | None, str]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    lines = data.decode("utf-8-sig", errors="replace").splitlines()
    candidates = [mark.line - 1, mark.line] if mark is not None else []
    for index in candidates:
        if 0 <= index < len(lines) and (match := _NEEDS_QUOTES.match(lines[index])):
            value = match.group(1).strip()
            return index + 1, (
                f"the value {value} starts with a character YAML reads as syntax; "
                f'write it in quotes: "{value}"'
            )
    problem = getattr(exc, "problem", None) or "the text does not read as YAML"
    line = mark.line + 1 if mark is not None else None
    return line, f"not valid YAML ({problem}): check the indentation and the quotes on this line"


def _yaml_problem_zh(exc: yaml.YAMLError, data: bytes) -> str:
    """:func:`_yaml_problem`'s sentence in Chinese (the parser's own words left out)."""
    note = _yaml_problem(exc, data)[1]
    quoted = re.search(r'write it in quotes: "(.*)"$', note)
    if quoted:
        value = quoted.group(1)
        return f'值 {value} 以 YAML 语法字符开头;请加上引号:"{value}"'
    return "不是有效的 YAML:请检查这一行的缩进和引号"


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """The line of a mapping ("") and of each of its keys (1-based)."""
    if node is None:
        return {}
    found = {"": node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        found.update({str(k.value): k.start_mark.line + 1 for k, _ in node.value})
    return found


def item_lines(node: yaml.Node | None, key: str) -> list[dict[str, int]]:
    """For the list under ``key`` of a mapping: each item's :func:`key_lines`."""
    if isinstance(node, yaml.MappingNode):
        for k, value in node.value:
            if k.value == key and isinstance(value, yaml.SequenceNode):
                return [key_lines(item) for item in value.value]
    return []


def refuse_aliases(node: yaml.Node | None, display: str, problem: type[Problem], keys: bool = True) -> None:
    """Raise :class:`ProblemsFound` at the first alias (or, with ``keys``, doubled key) under ``node``.

    An alias bomb ("billion laughs") is a small graph of shared nodes; it is refused at the
    first shared node, before anything is expanded.
    """
    _refuse_aliases(node, display, problem, ErrorLog(), set(), keys)


def _refuse_aliases(
    node: yaml.Node | None,
    display: str,
    problem: type[Problem],
    log: ErrorLog,
    seen: set[int],
    keys: bool = True,
) -> None:
    """A node met twice is an alias; a key met twice in a mapping is refused too."""
    if node is None:
        return
    if id(node) in seen:
        _fail(
            log,
            problem(
                file=display,
                line=node.start_mark.line + 1,
                note="anchors and aliases are not allowed",
                note_zh="不允许使用锚点和别名(& 与 *)",
            ),
        )
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_aliases(item, display, problem, log, seen, keys)
    elif isinstance(node, yaml.MappingNode):
        names: set[str] = set()
        for key, value in node.value:
            if keys and key.value in names:
                note = f"'{key.value}' is written twice; YAML would silently keep only the last"
                zh = f"“{key.value}”写了两次;YAML 会悄悄只保留最后一个"
                _fail(log, problem(file=display, line=key.start_mark.line + 1, note=note, note_zh=zh))
            names.add(key.value)
            _refuse_aliases(value, display, problem, log, seen, keys)


def _fail(log: ErrorLog, found: Problem) -> Any:
    log.add(found)
    raise ProblemsFound(log)
