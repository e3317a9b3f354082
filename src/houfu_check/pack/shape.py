"""Checking the shape of a pack's YAML with pydantic, in words a pack author can act on.

pydantic finds what is wrong; this module says it without library wording ("Extra inputs are
not permitted" becomes "unknown key 'x'; the keys allowed here are: ..."), in English
(:func:`explain`) and Chinese (:func:`explain_zh`), and finds the line of the YAML node a
problem is about.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from houfu_check.messages_zh import note_zh

Path_ = tuple[str | int, ...]


def node_line(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node of ``path`` found under ``root`` (a key's own line)."""
    node = root
    line = root.start_mark.line + 1 if root is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next(((k, v) for k, v in node.value if str(k.value) == part), None)
            if match is None:
                return line
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def allowed_keys(model: type[BaseModel], path: Sequence[str | int]) -> list[str] | None:
    """The keys a mapping at ``path`` (relative to ``model``) may have, if it is a model."""
    current: Any = model
    for part in path:
        current = _inner(current)
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part)
            if info is None:
                return None
            current = info.annotation
        else:
            return None  # a free mapping (dict[str, ...]): any key
    current = _inner(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return None


def _inner(annotation: Any) -> Any:
    """``list[X]``, ``X | None`` → ``X`` (the model a value of that annotation holds)."""
    for _ in range(4):
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if (origin in (list, tuple) and args) or (
            origin in (typing.Union, types.UnionType) and len(args) == 1
        ):
            annotation = args[0]
        else:
            break
    return annotation


_SIMPLE = {
    "date_from_datetime_parsing": "expected a date written YYYY-MM-DD, such as 2022-06-30",
    "date_from_datetime_inexact": "expected a date written YYYY-MM-DD, such as 2022-06-30",
    "date_parsing": "expected a date written YYYY-MM-DD, such as 2022-06-30",
    "date_type": "expected a date written YYYY-MM-DD, such as 2022-06-30",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "list_type": "expected a list (lines starting with '- ', or [a, b])",
    "dict_type": "expected a mapping of keys and values (key: value)",
    "model_type": "expected a mapping of keys and values (key: value)",
    "model_attributes_type": "expected a mapping of keys and values (key: value)",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}


def explain(err: ErrorDetails, model: type[BaseModel], hints: dict[str, str] | None = None) -> str:
    """One sentence for a pydantic error found while checking ``model``.

    ``hints`` gives the expected form of a field by name, for pattern mismatches
    (``{"id": "lower-case words joined by dots, e.g. stars.five_share"}``).
    """
    kind = err["type"]
    loc = err["loc"]
    key = str(loc[-1]) if loc else ""
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1])
        listing = f"; the keys allowed here are: {', '.join(allowed)}" if allowed else ""
        return f"unknown key '{key}'{listing}"
    if kind == "missing":
        return f"'{key}' is missing; it is required here"
    if kind == "literal_error":
        return f"{_shown(err.get('input'))} is not allowed here; expected one of: {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        form = (hints or {}).get(key, "")
        return f"{_shown(err.get('input'))} is not a valid {key}" + (f"; write {form}" if form else "")
    if kind == "string_too_long":
        return f"{_shown(err.get('input'))} is longer than {ctx.get('max_length')} characters"
    if kind in ("greater_than_equal", "greater_than"):
        return f"expected a number of at least {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"expected a number of at most {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_type" and isinstance(err.get("input"), bool):
        return (
            "expected text; YAML reads yes, no, true, false, on and off as a yes/no value unless "
            "they are quoted: write it in quotes ('yes')"
        )
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        return str(ctx["error"])  # our own validators' sentences (e.g. the kinds there are)
    if kind in _SIMPLE:
        found = err.get("input")
        text = _SIMPLE[kind]
        if found is not None and kind not in ("too_short", "string_too_short"):
            text += f", found {_shown(found)}"
        return text
    return "this value is not valid here"


_SIMPLE_ZH = {
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期,如 2022-06-30",
    "date_from_datetime_inexact": "应为 YYYY-MM-DD 格式的日期,如 2022-06-30",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期,如 2022-06-30",
    "date_type": "应为 YYYY-MM-DD 格式的日期,如 2022-06-30",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数值",
    "float_parsing": "应为数值",
    "list_type": "应为列表(以 '- ' 开头的若干行,或 [a, b])",
    "dict_type": "应为由键和值组成的映射(键: 值)",
    "model_type": "应为由键和值组成的映射(键: 值)",
    "model_attributes_type": "应为由键和值组成的映射(键: 值)",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
}


def explain_zh(err: ErrorDetails, model: type[BaseModel], hints: dict[str, str] | None = None) -> str | None:
    """:func:`explain` in Chinese (``hints``: the expected forms in Chinese); None where our own
    validator's sentence has no Chinese in :mod:`houfu_check.messages_zh`."""
    kind = err["type"]
    loc = err["loc"]
    key = str(loc[-1]) if loc else ""
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1])
        listing = f";此处可用的键有:{', '.join(allowed)}" if allowed else ""
        return f"未知的键 '{key}'{listing}"
    if kind == "missing":
        return f"缺少 '{key}';此处必须填写"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " 或 ")
        return f"此处不能用 {_shown_zh(err.get('input'))};应为以下之一:{expected}"
    if kind == "string_pattern_mismatch":
        form = (hints or {}).get(key, "")
        return f"{_shown_zh(err.get('input'))} 不是有效的 {key}" + (f";请用{form}" if form else "")
    if kind == "string_too_long":
        return f"{_shown_zh(err.get('input'))} 超过 {ctx.get('max_length')} 个字符"
    if kind in ("greater_than_equal", "greater_than"):
        return f"应为不小于 {ctx['ge']} 的数" if "ge" in ctx else f"应为大于 {ctx.get('gt')} 的数"
    if kind in ("less_than_equal", "less_than"):
        return f"应为不大于 {ctx['le']} 的数" if "le" in ctx else f"应为小于 {ctx.get('lt')} 的数"
    if kind == "string_type" and isinstance(err.get("input"), bool):
        return "应为文本;YAML 会把不加引号的 yes、no、true、false、on、off 读作是/否值:请加上引号('yes')"
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        return note_zh(str(ctx["error"]))  # our own validators' sentences, from the catalogue
    if kind in _SIMPLE_ZH:
        found = err.get("input")
        text = _SIMPLE_ZH[kind]
        if found is not None and kind not in ("too_short", "string_too_short"):
            shown = _shown_zh(found)
            text += f",而这里是{shown}" if shown.startswith("一个") else f",而这里是 {shown}"
        return text
    return "此处的值无效"


def _shown_zh(value: Any) -> str:
    if isinstance(value, dict):
        return "一个映射"
    if isinstance(value, list):
        return "一个列表"
    return _shown(value)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:60] + "…")
