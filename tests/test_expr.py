"""Rule expressions: the accepted language, its types, and everything it refuses."""

from __future__ import annotations

import polars as pl
import pytest

from builders import table
from houfu_check.rules.expr import ExprError, compile_expr

COMMUNITY = {c.name: c for c in table("communities").columns}
HOUSEHOLD = {c.name: c for c in table("households").columns}

FRAME = pl.DataFrame(
    {
        "households": [99, 100, 150],
        "star_rating": [5, 4, 3],
        "shop": [True, False, True],
        "police_post": ["office", "station", "none"],
    }
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("households >= 100", [False, True, True]),
        ("households >= 100 and star_rating == 5", [False, False, False]),
        ("star_rating = 5 or shop", [True, False, True]),
        ("not shop", [False, True, False]),
        ("police_post == 'office'", [True, False, False]),
        ("police_post != 'none'", [True, True, False]),
        ("police_post == '警务工作站'", [False, True, False]),
        ("'Office' == police_post", [True, False, False]),
        ("100 <= households < 150", [False, True, False]),
        ("households - 50 * 2 >= 0", [False, True, True]),
        ("shop == true", [True, False, True]),
        ("true", [True, True, True]),
        ("households >= 99.5", [False, True, True]),  # a decimal, exactly: 99 < 99.5 <= 100
        ("households * 0.5 >= 50", [False, True, True]),
    ],
)
def test_expression_semantics(text: str, expected: list[bool]) -> None:
    compiled = compile_expr(text, COMMUNITY, "bool")
    result = FRAME.select(pl.repeat(True, pl.len()) & compiled.expr).to_series().to_list()
    assert result == expected


def test_products_within_range_are_allowed() -> None:
    assert compile_expr("households * households >= 10000", COMMUNITY, "bool").columns == {"households"}


def test_columns_read_are_recorded() -> None:
    compiled = compile_expr("households >= 100 and (shop or star_rating == 5)", COMMUNITY, "bool")
    assert compiled.columns == {"households", "shop", "star_rating"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("household >= 100", "unknown column 'household'; did you mean 'households'?"),
        ("安置户数 >= 100", "'安置户数' is not a column name; write the column's name: households"),
        ("__import__('os').system('x')", "function call"),
        ("households.real", "attribute access"),
        ("households[0]", "indexing"),
        ("lambda: 1", "lambda"),
        ("households / 2 + 1 >= 1", "'/' is for a share in a comparison"),
        ("households ** 2 > 1", "'**'"),
        ("households in (1, 2)", "'in'"),
        ("households >= 1e3", "number 1e3 is not allowed"),
        ("households >= 1.1234567", "at most 6 places"),
        ("police_post == 'offic'", "'offic' is not a value of police_post"),
        ("police_post >= 'office'", "needs numbers"),
        ("shop >= 1", "cannot compare"),
        ("households and shop", "expected a condition"),
        ("community_name == 'x'", "choice column"),
        ("households >=", "cannot parse"),
        ("", "found nothing"),
        ("not " * 60 + "shop", "nested too deeply"),
        ("shop or " * 100 + "shop", "longer than"),
        ("households * 1000000000 * 100000000 > 0", "could exceed 64-bit"),
        ("households * households * households > 0", "could exceed 64-bit"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(ExprError, match=None) as err:
        compile_expr(text, COMMUNITY, "bool")
    assert message in str(err.value)


def test_redundant_parentheses_are_harmless() -> None:
    assert compile_expr("(" * 50 + "shop" + ")" * 50, COMMUNITY, "bool").columns == {"shop"}


def test_sum_must_be_a_number() -> None:
    with pytest.raises(ExprError, match="expected a number"):
        compile_expr("shop", COMMUNITY, "int")


def test_personal_column_cannot_be_read() -> None:
    with pytest.raises(ExprError, match="personal data"):
        compile_expr("head_name == 'x'", HOUSEHOLD, "bool")
