"""Made-up but realistic data for Hanyin County's relocation communities (汉阴县易地搬迁安置社区).

:func:`generate` builds a ``communities`` and a ``households`` frame that follow the data contract
(:mod:`houfu_check.contract`): most units meet most targets of the work plan and a small share of
each kind of failure is mixed in, so every rule has something to find. Everything is drawn from one
``numpy`` generator seeded by ``seed`` and computed column-wise, so millions of households take
seconds. :func:`write` saves the two frames as CSV with English or Chinese headers, in UTF-8 or
GB18030. Column names, order and Chinese headers all come from the contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from houfu_check.contract import PolicePost, TableSpec, table

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

#: The ten towns of Hanyin County, with how likely a relocation site is to lie in each.
TOWNS: tuple[str, ...] = (
    "城关镇", "涧池镇", "蒲溪镇", "平梁镇", "双乳镇", "铁佛寺镇", "漩涡镇", "汉阳镇", "双河口镇", "观音河镇",
)  # fmt: skip
TOWN_WEIGHTS: tuple[float, ...] = (0.16, 0.13, 0.10, 0.10, 0.09, 0.08, 0.10, 0.09, 0.08, 0.07)

#: Communities per made-up county; towns of the 2nd, 3rd, ... county get a numeric suffix (城关镇2).
COUNTY_SIZE = 100

NAME_STEMS: tuple[str, ...] = (
    "月河", "五一", "凤凰", "太平", "龙岗", "新华", "观音", "花园", "三元", "中坝", "田禾", "双坪",
    "永宁", "合心", "兴隆", "和平", "青龙", "堰坪", "庙坝", "大同", "东风", "兴安", "安坪", "黄龙",
    "龙寨", "平安", "富民", "幸福", "枫坪", "茨沟", "民主", "光辉", "长兴", "同心", "红星", "金星",
    "紫云", "梨树", "桥亭", "洞河", "鲤鱼", "龙垭", "凤亭", "新兴", "长青", "丰收", "柳林", "沙坝",
)  # fmt: skip
#: Community name endings, and how likely each is for a (small, medium, large) site.
NAME_SUFFIXES: tuple[str, ...] = ("社区", "安置点", "安置小区", "新村")
SUFFIX_PROBS: tuple[tuple[float, ...], ...] = (
    (0.35, 0.45, 0.05, 0.15),
    (0.70, 0.05, 0.20, 0.05),
    (0.85, 0.00, 0.15, 0.00),
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_CHARS = (
    "建国华明军平志文海强伟成德林秀英芳兰玉红梅兵勇福贵财生春秋云山安宝荣辉金银翠霞娟"
    "琴莲凤芬珍龙虎忠永长锋刚学全友清正洪涛敏静丽燕新世家兴发祥胜利中先桂菊"
)

#: Household size 1..8: mode 3-4, mean about 3.6.
MEMBER_PROBS: tuple[float, ...] = (0.07, 0.16, 0.26, 0.25, 0.14, 0.08, 0.03, 0.01)

# Site tiers: (small, medium, large) = (< 100 households, 100+ households, 800+ people).
SMALL, MEDIUM, LARGE = 0, 1, 2
#: Police posts by index, as drawn below: 0 office, 1 station, 2 none.
POSTS: tuple[PolicePost, ...] = (PolicePost.office, PolicePost.station, PolicePost.none)
LARGE_SHARE = 0.065
MEDIUM_SHARE = 0.19
LARGE_MIN = 300.0  # households of the smallest large site (well over 800 people)

#: Expected factories beyond a large site's first, and the most a site runs, per tier.
FACTORY_WEIGHTS: tuple[float, ...] = (0.02, 0.43, 1.0)
FACTORY_CAPS: tuple[int, ...] = (1, 2, 3)

HOUSEHOLDS_PER_COMMUNITY = 200
BATCH_ROWS = 100_000  # rows per block when writing GB18030


def generate(
    households: int, communities: int | None = None, seed: int = 2022
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (communities, households) frames with the contract's English column names and TYPED values
    (str / Int64 / Boolean; police_post as the strings 'office'/'station'/'none').

    ``communities`` defaults to about one per 200 households (at least 1). The same arguments
    always give the same frames.
    """
    if households < 0:
        raise ValueError("households must be 0 or more")
    n_comm = max(1, round(households / HOUSEHOLDS_PER_COMMUNITY)) if communities is None else communities
    if n_comm < 1:
        raise ValueError("communities must be 1 or more")
    rng = np.random.default_rng(seed)
    sizes = _site_sizes(rng, households, n_comm)
    community_of = np.repeat(np.arange(n_comm, dtype=np.int64), sizes)
    community_ids = _ids("HY-C", n_comm, 3)
    homes = _households(rng, community_of, community_ids)
    members = homes.get_column("members").to_numpy()
    population = np.bincount(community_of, weights=members, minlength=n_comm).astype(np.int64)
    sites = _communities(rng, community_ids, sizes, population)
    return sites, homes


def write(
    out_dir: Path,
    communities: pl.DataFrame,
    households: pl.DataFrame,
    *,
    headers: Literal["en", "zh"] = "en",
    encoding: Literal["utf-8", "gb18030"] = "utf-8",
) -> None:
    """Write communities.csv and households.csv into ``out_dir`` (created if missing).

    Booleans are written true/false with English headers and 是/否 with Chinese ones; the police
    post as office/station/none or 警务工作室/警务工作站/无. Chinese headers are the contract's.
    GB18030 is written in blocks of rows, never as one string.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for spec, frame in ((table("communities"), communities), (table("households"), households)):
        out = _for_csv(frame, spec, headers)
        path = out_dir / spec.file_name
        if encoding == "utf-8":
            out.write_csv(path)
        else:
            _write_encoded(out, path, encoding)


# --- sizes -------------------------------------------------------------------------------------


def _site_sizes(rng: np.random.Generator, households: int, n_comm: int) -> IntArray:
    """Households per community: mostly small sites, some of 100+, a few large ones holding the rest."""
    n_large = round(n_comm * LARGE_SHARE)
    n_medium = round(n_comm * MEDIUM_SHARE)
    n_small = n_comm - n_large - n_medium
    small = np.clip(rng.lognormal(np.log(38.0), 0.55, n_small), 8.0, 98.4)
    medium = rng.uniform(100.6, 180.0, n_medium)
    weight = rng.lognormal(0.0, 0.5, n_large)
    rest = households - small.sum() - medium.sum()
    if n_large and rest >= LARGE_MIN * n_large:
        large = LARGE_MIN + (rest - LARGE_MIN * n_large) * weight / weight.sum()
        want = np.concatenate([small, medium, large])
    else:  # too few households for the usual shape: shrink (or grow) every site alike
        large = LARGE_MIN * weight / weight.mean() if n_large else weight
        want = np.concatenate([small, medium, large])
        want *= households / want.sum()
    want = want[rng.permutation(n_comm)]
    if households >= n_comm:  # every community gets at least one household
        at_least_one: IntArray = _apportion(np.maximum(want - 1.0, 0.0), households - n_comm) + 1
        return at_least_one
    return _apportion(want, households)


def _apportion(want: FloatArray, total: int) -> IntArray:
    """Whole numbers near ``want`` that add up to ``total`` (largest remainders)."""
    if total == 0:
        return np.zeros(want.shape[0], dtype=np.int64)
    if want.sum() <= 0:
        want = np.ones(want.shape[0], dtype=np.float64)
    scaled = want * (total / want.sum())
    out: IntArray = np.floor(scaled).astype(np.int64)
    short = total - int(out.sum())
    if short > 0:
        order = np.argsort(-(scaled - out), kind="stable")
        out[order[:short]] += 1
    return out


# --- households --------------------------------------------------------------------------------


def _households(rng: np.random.Generator, community_of: IntArray, community_ids: pl.Series) -> pl.DataFrame:
    n = int(community_of.shape[0])
    members = rng.choice(np.arange(1, 9, dtype=np.int64), size=n, p=MEMBER_PROBS)
    poverty = rng.random(n) < 0.70
    # Adults who should hold pension insurance: the head plus some of the others.
    eligible = members - rng.binomial(members - 1, 0.30)
    insured = eligible - ((rng.random(n) < 0.0025) & (eligible >= 1))
    labor = rng.binomial(eligible, 0.72)
    has_labor = labor >= 1
    difficulty = has_labor & (rng.random(n) < 0.052)
    zero_job = has_labor & (rng.random(n) < np.where(difficulty, 0.03, 0.004))
    employed = np.where(zero_job, 0, np.maximum(1, rng.binomial(labor, 0.82)))
    employed = np.where(has_labor, employed, 0)
    stable = np.maximum(1, rng.binomial(employed, 0.75))
    stable = np.where((employed >= 1) & (rng.random(n) >= 0.011), stable, 0)
    skilled = labor - rng.binomial(labor, 0.03)
    posts = (rng.random(n) < np.where(difficulty, 0.45, 0.01)).astype(np.int64)
    posts = np.minimum(posts, employed)
    dropout = ((members >= 3) & (rng.random(n) < 0.0004)).astype(np.int64)
    doctor = rng.random(n) < 0.99
    monitored = rng.random(n) < np.where(poverty, 0.05, 0.02)
    assisted = monitored & (rng.random(n) < 0.97)
    columns: dict[str, pl.Series | npt.NDArray[np.generic]] = {
        "household_id": _ids("HY-H", n, 6),
        "community_id": community_ids.gather(community_of),
        "head_name": _names(rng, n),
        "members": members,
        "poverty_alleviated": poverty,
        "labor_count": labor,
        "employed_count": employed,
        "stably_employed_count": stable,
        "skilled_labor_count": skilled,
        "employment_difficulty": difficulty,
        "public_welfare_posts": posts,
        "pension_eligible": eligible,
        "pension_insured": insured,
        "dropout_children": dropout,
        "family_doctor_signed": doctor,
        "monitored": monitored,
        "assisted": assisted,
    }
    return _frame(table("households"), columns)


def _names(rng: np.random.Generator, n: int) -> pl.Series:
    """Made-up Chinese names: a common surname and one or two given-name characters."""
    surnames = pl.Series(list(SURNAMES))
    given = pl.Series(list(GIVEN_CHARS))
    rank = np.arange(1, len(SURNAMES) + 1, dtype=np.float64)
    weight = 1.0 / (rank + 8.0)  # the common surnames are far more common
    family = surnames.gather(rng.choice(len(SURNAMES), size=n, p=weight / weight.sum()))
    first = given.gather(rng.integers(0, len(GIVEN_CHARS), n))
    second_index = rng.integers(0, len(GIVEN_CHARS) + 1, n)  # the extra index is "no second char"
    second = pl.Series([*GIVEN_CHARS, ""]).gather(
        np.where(rng.random(n) < 0.72, second_index, len(GIVEN_CHARS))
    )
    return family + first + second


# --- communities -------------------------------------------------------------------------------


def _communities(
    rng: np.random.Generator, community_ids: pl.Series, sizes: IntArray, population: IntArray
) -> pl.DataFrame:
    n = int(sizes.shape[0])
    tier = np.where(population >= 800, LARGE, np.where(sizes >= 100, MEDIUM, SMALL)).astype(np.int64)
    towns, stems = _places(rng, n)
    suffix = pl.Series(NAME_SUFFIXES).gather(_draw(rng, SUFFIX_PROBS, tier))
    star = _draw(
        rng,
        ((0.04, 0.01, 0.07, 0.42, 0.32, 0.14), (0, 0, 0, 0.05, 0.50, 0.45), (0, 0, 0, 0, 0.15, 0.85)),
        tier,
    )
    secretary = _chance(rng, (0.30, 0.60, 0.97), tier)
    work_team = np.where(secretary, 1 + rng.binomial(3, 0.5, n), rng.binomial(2, 0.3, n))
    post = _draw(rng, ((0.03, 0.30, 0.67), (0.30, 0.65, 0.05), (0.90, 0.10, 0.00)), tier)
    office, station = post == 0, post == 1
    officers = np.where(office, _draw(rng, ((0.03, 0.93, 0.04),), np.zeros(n, dtype=np.int64)), 0)
    fulltime = _draw(rng, ((0.03, 0.25, 0.60, 0.12),), np.zeros(n, dtype=np.int64))
    fulltime = np.where(office, fulltime, np.where(station & (rng.random(n) < 0.05), 1, 0))
    parttime = np.where(office, rng.random(n) < 0.2, np.where(station, rng.random(n) < 0.8, False))
    assistant_odds = np.where(office, np.where(fulltime == 1, 0.85, 0.2), np.where(parttime, 0.1, 0.85))
    assistants = (post != 2) & (rng.random(n) < assistant_odds)
    six_small = {
        name: _chance(rng, (p, 0.99, 0.99), tier)
        for name, p in (
            ("shop", 0.6), ("storeroom", 0.4), ("dining_table", 0.3),
            ("classroom", 0.5), ("hall", 0.6), ("vegetable_garden", 0.7),
        )
    }  # fmt: skip
    large_site = {
        name: _chance(rng, (p, min(p + 0.2, 0.97), 0.985), tier)
        for name, p in (
            ("ev_charging", 0.3), ("parking", 0.5), ("activity_space", 0.8),
            ("security_system", 0.7), ("fire_protection", 0.85),
        )
    }  # fmt: skip
    factories = _factories(rng, tier)
    doctors = _draw(rng, ((0.45, 0.50, 0.05), (0.15, 0.70, 0.15), (0.05, 0.60, 0.35)), tier)
    dispatched = rng.random(n) < np.where(doctors == 0, 0.9, 0.05)
    columns: dict[str, pl.Series | npt.NDArray[np.generic]] = {
        "community_id": community_ids,
        "community_name": stems + suffix,
        "town": towns,
        "households": sizes,
        "population": population,
        "star_rating": star,
        "party_organization": rng.random(n) < 0.985,
        "employment_service": rng.random(n) < 0.985,
        "industry_support": rng.random(n) < 0.985,
        "service_center": rng.random(n) < 0.985,
        "first_secretary": secretary,
        "work_team_members": work_team,
        "new_young_party_members": _draw(rng, ((0.04, 0.08, 0.45, 0.30, 0.13),), np.zeros(n, dtype=np.int64)),
        "reserve_cadres": _draw(rng, ((0.05, 0.60, 0.28, 0.07),), np.zeros(n, dtype=np.int64)),
        "platform_321": rng.random(n) < 0.97,
        "police_post": pl.Series([p.value for p in POSTS]).gather(post),
        "police_officers": officers,
        "fulltime_auxiliary_police": fulltime,
        "parttime_auxiliary_police": parttime.astype(np.int64),
        "police_assistants": assistants.astype(np.int64),
        **six_small,
        **large_site,
        "factories_operating": factories,
        "certified_doctors": doctors,
        "dispatched_doctor": dispatched,
    }
    return _frame(table("communities"), columns)


def _factories(rng: np.random.Generator, tier: IntArray) -> IntArray:
    """Community factories in operation: none at most sites, 1-3 at large ones, about 0.22 a site.

    Large sites get one each; the rest of a county-wide total is spread by site weight, so the
    total stays steady (about 22 per 100 communities) rather than swinging with chance.
    """
    weight = np.asarray(FACTORY_WEIGHTS, dtype=np.float64)[tier]
    base = (tier == LARGE).astype(np.int64)
    extra = round(float(weight.sum()) + int(base.sum())) - int(base.sum())
    if extra > 0 and weight.sum() > 0:
        base += rng.multinomial(extra, weight / weight.sum())
    capped: IntArray = np.minimum(base, np.asarray(FACTORY_CAPS, dtype=np.int64)[tier])
    return capped


def _places(rng: np.random.Generator, n: int) -> tuple[pl.Series, pl.Series]:
    """Town and name stem per community; ids run town by town within each made-up county.

    Each county's first ten communities cover the ten towns once; the rest are drawn by weight.
    """
    position = np.arange(n, dtype=np.int64)
    county = position // COUNTY_SIZE
    drawn = rng.choice(len(TOWNS), size=n, p=TOWN_WEIGHTS).astype(np.int64)
    town = np.where(position % COUNTY_SIZE < len(TOWNS), position % COUNTY_SIZE, drawn)
    town = town[np.lexsort((town, county))]  # counties stay in blocks; towns sorted inside each
    base = pl.Series(TOWNS).gather(town)
    suffix = pl.Series(np.where(county == 0, "", (county + 1).astype(str)))
    stems = pl.Series(NAME_STEMS).gather(rng.integers(0, len(NAME_STEMS), n))
    return base + suffix, stems


def _draw(rng: np.random.Generator, probs: Sequence[Sequence[float]], group: IntArray) -> IntArray:
    """Per row, an index 0..k-1 drawn with the probabilities of the row's group (a row of ``probs``)."""
    table_ = np.asarray(probs, dtype=np.float64)
    cum = np.cumsum(table_ / table_.sum(axis=1, keepdims=True), axis=1)
    cum[:, -1] = 1.0
    u = rng.random(int(group.shape[0]))
    drawn: IntArray = (u[:, None] >= cum[group]).sum(axis=1).astype(np.int64)
    return drawn


def _chance(rng: np.random.Generator, odds: Sequence[float], group: IntArray) -> BoolArray:
    """Per row, True with the probability of the row's group."""
    return rng.random(int(group.shape[0])) < np.asarray(odds, dtype=np.float64)[group]


# --- frames and files --------------------------------------------------------------------------


def _ids(prefix: str, n: int, width: int) -> pl.Series:
    """``prefix`` + 1..n, zero-padded to ``width`` digits (wider when n needs it)."""
    digits = max(width, len(str(n)))
    numbers = pl.int_range(1, n + 1, eager=True, dtype=pl.Int64).cast(pl.String).str.zfill(digits)
    return prefix + numbers


def _frame(spec: TableSpec, columns: Mapping[str, pl.Series | npt.NDArray[np.generic]]) -> pl.DataFrame:
    """A frame in the contract's column order with the contract's types."""
    if set(columns) != set(spec.names):
        missing, extra = set(spec.names) - set(columns), set(columns) - set(spec.names)
        raise RuntimeError(f"sample {spec.name}: columns out of step with the contract: {missing=} {extra=}")
    dtypes = {"text": pl.String, "choice": pl.String, "int": pl.Int64, "bool": pl.Boolean}
    return pl.DataFrame(
        [pl.Series(col.name, columns[col.name]).cast(dtypes[col.kind]) for col in spec.columns]
    )


def _zh_choices(spec: TableSpec, column: str) -> dict[str, str]:
    """English value -> first Chinese spelling of a choice column."""
    out: dict[str, str] = {}
    for word, value in spec.column(column).choices.items():
        if not word.isascii():
            out.setdefault(value, word)
    return out


def _for_csv(frame: pl.DataFrame, spec: TableSpec, headers: Literal["en", "zh"]) -> pl.DataFrame:
    """``frame`` in contract order, with Chinese headers and cell words when asked."""
    frame = frame.select(spec.names)
    if headers == "en":
        return frame
    exprs: list[pl.Expr] = []
    for col in spec.columns:
        expr = pl.col(col.name)
        if col.kind == "bool":
            expr = pl.when(expr).then(pl.lit("是")).when(expr.not_()).then(pl.lit("否"))
        elif col.kind == "choice":
            expr = expr.replace_strict(_zh_choices(spec, col.name), return_dtype=pl.String)
        exprs.append(expr.alias(col.zh))
    return frame.select(exprs)


def _write_encoded(frame: pl.DataFrame, path: Path, encoding: str) -> None:
    """Write ``frame`` as CSV in ``encoding``, a block of rows at a time."""
    with path.open("wb") as fh:
        for start in range(0, max(frame.height, 1), BATCH_ROWS):
            text = frame.slice(start, BATCH_ROWS).write_csv(include_header=start == 0)
            fh.write(text.encode(encoding))
