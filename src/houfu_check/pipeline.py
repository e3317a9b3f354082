"""Prepare a round: one submission made ready to judge — its metadata, the pack, the data, the
waivers. A plain function the commands, tests and scripts call::

    ready = prepare(Path("data/2022q4"))
    if isinstance(ready, Stop): ...          # ready.reason, ready.found.log
    report = evaluate(ready.rules, ready.data, "data/2022q4", submission=ready.submission)

Data flows one way: the pack is loaded and checked whole first (contract and rules), then the
files are found, read and validated against its contract, then submission facts and waivers
are applied. Problems come back with the reason they stop the run (``invalid-data``,
``invalid-rules``, ``invalid-waivers``), for the caller to render; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from houfu_check.dataset import no_progress
from houfu_check.errors import ProblemsFound

if TYPE_CHECKING:
    from collections.abc import Callable

    from houfu_check.dataset import Dataset
    from houfu_check.errors import Problem
    from houfu_check.io.folder import FolderScan
    from houfu_check.pack.contract import Contract
    from houfu_check.period import Period
    from houfu_check.report import PreviousOut
    from houfu_check.rules import RuleSet
    from houfu_check.submission import Submission

WAIVERS = "waivers.yaml"


@dataclass(frozen=True)
class Prepared:
    """A round ready for the engine."""

    submission: Submission
    rules: RuleSet
    data: Dataset
    notes: list[Problem]  # warnings found on the way (expired waivers)
    previous: Dataset | None = None  # the previous round's data, for growth rules
    previous_label: PreviousOut | None = None  # its folder and period, as the report names them


@dataclass(frozen=True)
class Stop:
    """Why a round cannot be judged."""

    reason: str
    found: ProblemsFound


def waiver_file(data: Path, given: Path | None) -> Path | None:
    """``--waivers FILE``, else the data folder's ``waivers.yaml`` if there is one."""
    if given is not None:
        return given
    found = data / WAIVERS
    # a folder, a pipe or a broken link by that name is read, and refused by name: never ignored
    return found if found.exists() or found.is_symlink() else None


def prepare(
    data: Path,
    rules: Path | None = None,
    period: Period | None = None,
    codec: str | None = None,
    waivers: Path | None = None,
    progress: Callable[[str], None] = no_progress,
    previous: Path | None = None,
) -> Prepared | Stop:
    """Read ``submission.yaml``, the pack (``rules``: its rule file; default the shipped one;
    annual rules for ``period``, else the submission's), the data and the waivers (``waivers``,
    else the data folder's ``waivers.yaml``)."""
    from houfu_check.errors import ProblemsFound
    from houfu_check.rules import load_rules
    from houfu_check.submission import Submission, read_submission
    from houfu_check.waivers import apply_waivers, read_waivers

    try:
        submission = read_submission(data) if data.is_dir() else Submission()
    except ProblemsFound as found:
        return Stop("invalid-data", found)
    try:
        ruleset = load_rules(rules, period or submission.period, submission.constants)
    except ProblemsFound as found:
        return Stop("invalid-rules", found)
    unknown = [name for name in submission.constants if name not in ruleset.constants]
    if unknown:
        return Stop("invalid-data", _unknown_constants(unknown, submission, ruleset))
    from houfu_check.io.folder import FolderScan

    scan = FolderScan(ruleset.contract)  # what each folder holds, looked at once for both uses
    outcome = load_data(data, codec, progress, ruleset.contract, submission, scan)
    if isinstance(outcome, ProblemsFound):
        return Stop("invalid-data", outcome)
    path = waiver_file(data, waivers)
    notes: list[Problem] = list(_unread_in_towns(data, ruleset.contract, scan))
    if path is not None:
        display = str(path) if waivers is not None else WAIVERS
        # A waiver is in force on the submission's date, else at the period's end, else today.
        when = ruleset.period or submission.period
        as_of = submission.date or (when.end if when else dt.date.today())
        try:
            ruleset, expired = apply_waivers(read_waivers(path, display), display, ruleset, outcome, as_of)
        except ProblemsFound as found:
            return Stop("invalid-waivers", found)
        notes += expired
    then = previous or submission.previous
    earlier, named = None, None
    if then is not None and not then.is_dir():  # a mistyped folder is said, growth rules or not
        from houfu_check.errors import ErrorLog, SubmissionProblem

        log = ErrorLog()
        if then.exists():
            note = f"the previous round '{then}' is a file, not a folder; give the folder of the round before"
            zh = f"上一轮“{then}”是文件,不是文件夹;请给出上一轮数据的文件夹"
        else:
            note = f"the previous round's folder '{then}' does not exist; give the folder of the round before"
            zh = f"上一轮的文件夹“{then}”不存在;请给出上一轮数据的文件夹"
        log.add(SubmissionProblem(file="previous", note=note, note_zh=zh))
        return Stop("invalid-data", ProblemsFound(log))
    if then is not None and any(r.spec.kind == "growth" for r in ruleset.rules):
        try:
            earlier_sub = read_submission(then)
        except ProblemsFound as found:
            return Stop("invalid-data", in_folder(then, found))
        mistake = _previous_mistake(data, then, ruleset.period or submission.period, earlier_sub.period)
        if mistake is not None:
            return Stop("invalid-data", mistake)
        loaded = load_data(then, codec, progress, ruleset.contract, earlier_sub)
        if isinstance(loaded, ProblemsFound):  # named under the previous round's folder
            return Stop("invalid-data", in_folder(then, loaded))
        earlier = loaded
        shown = str(previous) if previous is not None else str(then)
        from houfu_check.report import PreviousOut

        named = PreviousOut(
            data=shown, period=None if earlier_sub.period is None else str(earlier_sub.period)
        )
    return Prepared(submission, ruleset, outcome, notes, earlier, named)


def in_folder(folder: Path, found: ProblemsFound) -> ProblemsFound:
    """Problems of another round than the one asked about, their files named under its folder."""
    import dataclasses

    from houfu_check.errors import ErrorLog

    moved = [dataclasses.replace(p, file=str(folder / p.file)) for p in found.log.items]
    return ProblemsFound(ErrorLog(cap=found.log.cap, items=moved, total=found.log.total))


def _previous_mistake(
    data: Path, then: Path, period: Period | None, then_period: Period | None
) -> ProblemsFound | None:
    """A previous round that cannot be one: this round's own folder, or a period that is not
    earlier than this round's (growth would be measured backwards or against itself)."""
    from houfu_check.errors import ErrorLog, SubmissionProblem

    note = None
    if then.resolve() == data.resolve():
        note = f"the previous round '{then}' is this round's own folder; give the folder of the round before"
    elif period is not None and then_period is not None and not then_period < period:
        note = (
            f"the previous round '{then}' is of {then_period}, not earlier than this round ({period}); "
            "give the folder of the round before"
        )
    if note is None:
        return None
    log = ErrorLog()
    log.add(SubmissionProblem(file="previous", note=note))
    return ProblemsFound(log)


def _unknown_constants(unknown: list[str], submission: Submission, ruleset: RuleSet) -> ProblemsFound:
    """A constant in submission.yaml that the pack does not have: refused (a typo would leave
    the pack's older value in force silently)."""
    from houfu_check.errors import ErrorLog, SubmissionProblem

    log = ErrorLog()
    known = ", ".join(ruleset.constants)
    for name in unknown:
        line = submission.constants_lines.get(name)
        note = f"constants: '{name}' is not a constant of the plan pack; its constants: {known or 'none'}"
        zh = f"constants(常量):'{name}' 不是方案包中的常量;方案包的常量有:{known or '无'}"
        log.add(SubmissionProblem(file="submission.yaml", line=line, note=note, note_zh=zh))
    return ProblemsFound(log)


def _unread_in_towns(data: Path, contract: Contract, scan: FolderScan | None = None) -> list[Problem]:
    """Files that are not read where they lie, said so: a spreadsheet that no table is read
    from, and a waivers.yaml or submission.yaml in a town folder (nothing is waived silently,
    nor left unwaived silently)."""
    from houfu_check.errors import StraySheetFile, UnreadFile
    from houfu_check.io.folder import unread_files

    strays, misplaced = unread_files(data, contract, (WAIVERS, "submission.yaml"), scan)
    found: list[Problem] = [StraySheetFile(file=name, note=why, note_zh=zh) for name, why, zh in strays]
    for file in misplaced:
        name = file.rsplit("/", 1)[-1]
        found.append(UnreadFile(file=file, note=f"{name} is read from the county folder only"))
    return found


def load_data(
    data: Path,
    codec: str | None,
    progress: Callable[[str], None],
    contract: Contract,
    submission: Submission | None = None,
    scan: FolderScan | None = None,
) -> Dataset | ProblemsFound:
    """The validated data folder, or the problems that stop the run."""
    import tempfile

    from houfu_check.validate import load_dataset

    with tempfile.TemporaryDirectory(prefix="houfu-check-") as workdir:
        try:
            return load_dataset(
                data,
                Path(workdir),
                codec,
                progress=progress,
                contract=contract,
                submission=submission,
                scan=scan,
            )
        except ProblemsFound as found:
            return found
