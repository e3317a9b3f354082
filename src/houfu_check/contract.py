"""The data contract: the one place that says which columns a data folder holds.

Each table is a pydantic model. A field's annotation gives its type (text, whole number,
boolean, or a choice), ``Field(ge=..., le=...)`` its bounds, and a :class:`Col` marker its
Chinese header and relations. Loading, validation, the rule checker and the README's table
are all derived from these models through :func:`tables`; nothing else lists the columns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal

import annotated_types
from pydantic import BaseModel, Field

Kind = Literal["text", "int", "bool", "choice"]

#: Words read as booleans, after trimming spaces and lower-casing.
TRUE_WORDS: tuple[str, ...] = ("true", "1", "yes", "y", "是", "有")
FALSE_WORDS: tuple[str, ...] = ("false", "0", "no", "n", "否", "无")

#: The most digits a whole number may have. Counts of people and households never come
#: near 10^9, and so Σ over ~9 billion rows still fits a signed 64-bit integer: no sum can
#: overflow into a wrong verdict.
MAX_DIGITS = 9


@dataclass(frozen=True)
class Col:
    """Marker for a contract field: Chinese header and relations to other columns."""

    zh: str
    doc: str = ""
    unique: bool = False
    references: str | None = None  # "table.column" that must hold the value
    at_most: str | None = None  # another column of the same row this one may not exceed
    optional: bool = False  # the column may be absent and its cells empty
    personal: bool = False  # never printed or written by any report


class PolicePost(enum.StrEnum):
    """Kind of police post in a community (警务室类型)."""

    office = "office"
    station = "station"
    none = "none"


#: Accepted spellings of each police post, matched after trimming and lower-casing.
POLICE_POST_WORDS: dict[str, str] = {
    "office": "office",
    "station": "station",
    "none": "none",
    "警务工作室": "office",
    "警务工作站": "station",
    "无": "none",
}

Count = Annotated[int, Field(ge=0)]


class Community(BaseModel):
    """One relocation community (安置社区), a row of ``communities.csv``."""

    community_id: Annotated[str, Col("社区编号", unique=True)]
    community_name: Annotated[str, Col("社区名称")]
    town: Annotated[str, Col("所属镇")]
    households: Annotated[Count, Col("安置户数", "relocated households")]
    population: Annotated[Count, Col("安置人数", "relocated people")]
    star_rating: Annotated[int, Field(ge=0, le=5), Col("星级", "0 = not yet rated")]
    party_organization: Annotated[bool, Col("党组织", "四个全覆盖")]
    employment_service: Annotated[bool, Col("就业服务站", "四个全覆盖")]
    industry_support: Annotated[bool, Col("产业配套", "四个全覆盖")]
    service_center: Annotated[bool, Col("便民服务中心", "四个全覆盖")]
    first_secretary: Annotated[bool, Col("第一书记")]
    work_team_members: Annotated[Count, Col("驻村工作队员数")]
    new_young_party_members: Annotated[Count, Col("新发展青年党员数", "members under 35 admitted this year")]
    reserve_cadres: Annotated[Count, Col("后备力量数")]
    platform_321: Annotated[bool, Col("321治理平台")]
    police_post: Annotated[PolicePost, Col("警务室类型", "office / station / none")]
    police_officers: Annotated[Count, Col("民警数")]
    fulltime_auxiliary_police: Annotated[Count, Col("专职辅警数")]
    parttime_auxiliary_police: Annotated[Count, Col("兼职辅警数")]
    police_assistants: Annotated[Count, Col("警务助理数")]
    shop: Annotated[bool, Col("小超市", "六小")]
    storeroom: Annotated[bool, Col("小库房", "六小")]
    dining_table: Annotated[bool, Col("小餐桌", "六小")]
    classroom: Annotated[bool, Col("小课堂", "六小")]
    hall: Annotated[bool, Col("小厅堂", "六小")]
    vegetable_garden: Annotated[bool, Col("小菜园", "六小")]
    ev_charging: Annotated[bool, Col("充电桩")]
    parking: Annotated[bool, Col("停车场")]
    activity_space: Annotated[bool, Col("公共活动场所")]
    security_system: Annotated[bool, Col("安全防范设施")]
    fire_protection: Annotated[bool, Col("消防设施")]
    factories_operating: Annotated[Count, Col("在产社区工厂数", "community factories in normal operation")]
    certified_doctors: Annotated[Count, Col("持证乡村医生数")]
    dispatched_doctor: Annotated[bool, Col("派驻医生", "town health centre sends a doctor")]


class Household(BaseModel):
    """One relocated household (搬迁户), a row of ``households.csv``."""

    household_id: Annotated[str, Col("户编号", unique=True)]
    community_id: Annotated[str, Col("社区编号", references="communities.community_id")]
    head_name: Annotated[str, Col("户主姓名", "personal data", optional=True, personal=True)]
    members: Annotated[int, Field(ge=1), Col("家庭人口数")]
    poverty_alleviated: Annotated[bool, Col("脱贫户", "脱贫户 vs 同步搬迁户")]
    labor_count: Annotated[Count, Col("劳动力人数", at_most="members")]
    employed_count: Annotated[Count, Col("就业人数", at_most="labor_count")]
    stably_employed_count: Annotated[Count, Col("稳定就业人数", at_most="employed_count")]
    skilled_labor_count: Annotated[Count, Col("掌握技能劳动力人数", at_most="labor_count")]
    employment_difficulty: Annotated[bool, Col("就业困难家庭")]
    public_welfare_posts: Annotated[Count, Col("公益性岗位人数")]
    pension_eligible: Annotated[Count, Col("应参保人数", at_most="members")]
    pension_insured: Annotated[Count, Col("已参保人数", at_most="pension_eligible")]
    dropout_children: Annotated[Count, Col("辍学人数")]
    family_doctor_signed: Annotated[bool, Col("家庭医生签约")]
    monitored: Annotated[bool, Col("防返贫监测对象")]
    assisted: Annotated[bool, Col("已落实帮扶措施")]


@dataclass(frozen=True)
class ColumnSpec:
    """Everything the tool knows about one column, derived from the models above."""

    name: str
    zh: str
    kind: Kind
    doc: str = ""
    minimum: int | None = None
    maximum: int | None = None
    unique: bool = False
    references: tuple[str, str] | None = None
    at_most: str | None = None
    optional: bool = False
    personal: bool = False
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def lowest(self) -> int:
        """The smallest whole number the column takes (0 unless the contract says otherwise)."""
        return self.minimum if self.minimum is not None else 0

    @property
    def highest(self) -> int:
        """The largest whole number the column takes (at most MAX_DIGITS digits)."""
        return self.maximum if self.maximum is not None else 10**MAX_DIGITS - 1

    def type_text(self, short: bool = False) -> str:
        """Human description of the column's type and constraints (English)."""
        if self.kind == "bool":
            return "boolean" if short else "boolean (true/false, 1/0, yes/no, y/n, 是/否, 有/无)"
        if self.kind == "choice":
            return "one of " + " / ".join(self.choices)
        if self.kind == "int":
            text = f"whole number ≥ {self.lowest}"
            if self.maximum is not None:
                text = f"whole number {self.lowest}–{self.maximum}"
            if self.at_most:
                text += f", ≤ {self.at_most}"
            return text
        if self.optional:
            return "text, optional column (cells may be empty)"
        text = "text, non-empty"
        if self.unique:
            text += ", unique"
        if self.references:
            text += f", must exist in {self.references[0]}.csv"
        return text


@dataclass(frozen=True)
class TableSpec:
    """One table of the data folder: its file stem, id column and columns."""

    name: str
    id_column: str
    unit: str  # what one row is, for messages
    columns: tuple[ColumnSpec, ...]
    zh: str = ""  # the table's Chinese name: its sheet in a workbook holding both tables

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def sheet_names(self) -> tuple[str, str]:
        """The names its sheet may have in a workbook that holds both tables."""
        return (self.zh, self.name)

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _kind(annotation: Any) -> tuple[Kind, dict[str, str]]:
    if annotation is bool:
        return "bool", {}
    if annotation is int:
        return "int", {}
    if annotation is str:
        return "text", {}
    if annotation is PolicePost:
        return "choice", dict(POLICE_POST_WORDS)
    raise TypeError(f"contract: unsupported column type {annotation!r}")


def _columns(model: type[BaseModel]) -> tuple[ColumnSpec, ...]:
    specs = []
    for name, info in model.model_fields.items():
        marker = next(m for m in info.metadata if isinstance(m, Col))
        kind, choices = _kind(info.annotation)
        minimum = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
        maximum = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
        ref = tuple(marker.references.split(".", 1)) if marker.references else None
        specs.append(
            ColumnSpec(
                name=name,
                zh=marker.zh,
                kind=kind,
                doc=marker.doc,
                minimum=int(minimum) if minimum is not None else None,  # type: ignore[call-overload]
                maximum=int(maximum) if maximum is not None else None,  # type: ignore[call-overload]
                unique=marker.unique,
                references=ref,  # type: ignore[arg-type]
                at_most=marker.at_most,
                optional=marker.optional,
                personal=marker.personal,
                choices=choices,
            )
        )
    return tuple(specs)


@cache
def tables() -> tuple[TableSpec, ...]:
    """The tables of a data folder, in load order (referenced tables first)."""
    return (
        TableSpec("communities", "community_id", "relocation community", _columns(Community), "社区"),
        TableSpec("households", "household_id", "relocated household", _columns(Household), "住户"),
    )


def table(name: str) -> TableSpec:
    """The table called ``name`` (``communities`` or ``households``)."""
    for spec in tables():
        if spec.name == name:
            return spec
    raise KeyError(name)
