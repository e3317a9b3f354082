"""Text tables → typed frames, or every problem with its file, line and column.

The contract of the pack says what each table holds. Per table, in order: the header is
mapped (:mod:`.header`), every cell typed and checked (:mod:`.cells`), then relations between
columns, rows and tables are checked on the cells that passed (:mod:`.relations`). All checks
are column expressions over the whole table; rows are looked at one by one only for the few
problems that are shown.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from houfu_check.dataset import Dataset, InputFile, Progress, no_progress
from houfu_check.errors import (
    BlankRow,
    BlankRowsSkipped,
    DataError,
    ErrorLog,
    MissingColumn,
    NoteRow,
    ProblemsFound,
    SubmissionProblem,
    may_be_name,
)
from houfu_check.io import coded
from houfu_check.io.folder import FolderScan, read_folder
from houfu_check.io.scan import NOTE_MARKERS, NOTE_START
from houfu_check.io.table import Position, RawTable, TableParts
from houfu_check.pack.contract import ColumnSpec, Contract, TableSpec
from houfu_check.submission import FILE_NAME as SUBMISSION
from houfu_check.submission import Submission
from houfu_check.validate import cells, relations
from houfu_check.validate.header import header_key, lookup, map_header


def load_dataset(
    folder: Path,
    workdir: Path,
    encoding: str | None = None,
    cap: int = 50,
    progress: Progress = no_progress,
    contract: Contract | None = None,
    submission: Submission | None = None,
    scan: FolderScan | None = None,
) -> Dataset:
    """Read and validate a data folder; raise :class:`ProblemsFound` listing every problem.

    ``contract``: the pack's (default: the shipped pack's); ``submission``: its ``facts:``
    are the row of the contract's facts table.
    """
    if contract is None:
        from houfu_check.rules.load import default_contract

        contract = default_contract()
    log = ErrorLog(cap=cap)
    try:
        raw = read_folder(folder, workdir, log, contract, encoding, progress, scan)
    except ProblemsFound as found:
        raise _forced(found, encoding) from None
    if encoding is not None and log.items:
        log.items[:] = _forced(ProblemsFound(log), encoding).log.items
    facts = facts_table(contract, submission, log)
    if facts is not None:
        raw[facts[0]] = [facts[1]]
    elif contract.facts is not None and contract.facts.required:
        note = f"give the county facts ({contract.facts.zh}) under 'facts:' in {SUBMISSION}: " + ", ".join(
            c.name for c in contract.facts.columns
        )
        log.add(SubmissionProblem(file=SUBMISSION, note=note))
    progress("validating")
    return validate(raw, log, contract)


def _forced(found: ProblemsFound, encoding: str | None) -> ProblemsFound:
    """A file that cannot be read in the encoding the user forced says that it was forced (the
    file may be fine in the encoding the tool would have found)."""
    import dataclasses

    from houfu_check.errors import EncodingProblem
    from houfu_check.io.encoding import encoding_note

    if encoding is None:
        return found
    for i, problem in enumerate(found.log.items):
        if isinstance(problem, EncodingProblem):
            note, note_zh = encoding_note(encoding, problem.line, problem.column, forced=True)
            found.log.items[i] = dataclasses.replace(problem, note=note, note_zh=note_zh)
    return found


def facts_table(
    contract: Contract, submission: Submission | None, log: ErrorLog | None = None
) -> tuple[str, RawTable] | None:
    """The county facts of ``submission.yaml`` as a one-row text table, if the contract has a
    facts table and the file gives ``facts:``. Facts the pack does not know, or facts for a pack
    without them, are problems (to ``log``): a misspelt fact is never dropped silently."""
    spec = contract.facts
    if submission is None or submission.facts is None:
        return None
    log = log if log is not None else ErrorLog()
    lines = submission.facts_lines
    if spec is None:
        note = "facts: the plan pack has no county facts; remove facts: (or use the pack that has them)"
        zh = "facts(县级事项):方案包没有县级事项;请删去 facts:(或改用有县级事项的方案包)"
        line = min(lines.values(), default=None)
        log.add(SubmissionProblem(file=SUBMISSION, line=line, note=note, note_zh=zh))
        return None
    known = lookup(spec)
    allowed = ", ".join(c.name for c in spec.columns)
    for key in submission.facts:
        if not key or header_key(key) not in known:
            near = difflib.get_close_matches(
                key, [h for c in spec.columns for h in c.headers], n=1, cutoff=0.6
            )
            hint = f"; did you mean '{near[0]}'?" if near else f"; the county facts are: {allowed}"
            log.add(
                SubmissionProblem(
                    file=SUBMISSION, line=lines.get(key), note=f"facts: '{key}' is no county fact{hint}"
                )
            )
    header = list(submission.facts)
    line = min((v for k, v in submission.facts_lines.items() if k), default=1)
    frame = pl.DataFrame(
        {str(i): [submission.facts[h]] for i, h in enumerate(header)},
        schema={str(i): pl.String for i in range(len(header))},
    )
    table = RawTable(
        display=SUBMISSION,
        path=Path(SUBMISSION),
        encoding="utf-8",
        sha256="",
        header=header,
        frame=frame,
        has_quotes=False,
        header_lines=line - 1,
        key_lines=dict(submission.facts_lines),
    )
    return spec.name, table


def validate(raw: dict[str, list[RawTable]], log: ErrorLog, contract: Contract) -> Dataset:
    """Typed frames for ``raw`` (each table from one file, or one per town folder); raise
    :class:`ProblemsFound` if ``log`` holds any problem."""
    typed: dict[str, pl.DataFrame] = {}
    texts: dict[str, pl.DataFrame] = {}  # each table's cells as text, for references between tables
    plain: set[tuple[str, str]] = set()  # (table, key column) whose every cell is plain ASCII
    parts: dict[str, TableParts] = {}
    checks: dict[str, TableCheck] = {}
    warnings: list[DataError] = []
    for spec in contract.tables:
        if spec.name in raw:
            check = TableCheck(spec, raw[spec.name], log)
            before = len(log.items)
            frame = check.run(texts, contract.missing_values, plain)
            _at_key_lines(raw[spec.name], log, before)
            if any(col.personal for col in spec.columns):
                _hide_names(log.items, before)
            parts[spec.name] = check.table
            checks[spec.name] = check
            if frame is not None:
                typed[spec.name] = frame
    if log:
        raise ProblemsFound(log)
    warnings += [
        _skipped(part) for spec in contract.tables for part in raw.get(spec.name, []) if part.skipped_lines
    ]
    warnings += relations.town_folder_warnings(contract, raw, texts)
    warnings += relations.tallies(contract, typed, parts, lambda table, col: checks[table].where(col))
    files = tuple(
        InputFile(spec.name, part.display, part.sha256, part.rows, part.encoding, part.sheet, spec.zh)
        for spec in contract.tables
        for part in raw.get(spec.name, [])
        if not spec.facts
    )
    return Dataset(tables=typed, files=files, warnings=tuple(warnings))


def _skipped(part: RawTable) -> BlankRowsSkipped:
    """One warning per file for the empty rows left out between its records."""
    lines = part.skipped_lines
    shown = ", ".join(f"{n:,}" for n in lines[:10]) + (f" … +{len(lines) - 10:,}" if len(lines) > 10 else "")
    word = ("row" if part.sheet else "line") + ("s" if len(lines) > 1 else "")
    word_zh = "行"
    return BlankRowsSkipped(
        file=part.display,
        sheet=part.sheet,
        line=lines[0],
        note=f"{word} {shown}",
        note_zh=f"第 {'、'.join(f'{n:,}' for n in lines[:10])} {word_zh}"
        + (f" 等(另有 {len(lines) - 10:,} 行)" if len(lines) > 10 else ""),
    )


def _hide_names(problems: list[Any], since: int) -> None:
    """In a table with a personal column a misaligned row can put a name in any column, so no
    message quotes a value that may be one (an id such as ``H0001`` is still quoted). Warnings
    come after validation passed: their values are checked ids and towns, never a name."""
    for i in range(since, len(problems)):
        problem = problems[i]
        if not problem.hidden and may_be_name(problem.value):
            problems[i] = dataclasses.replace(problem, value=None, hidden=True)


def _at_key_lines(parts: list[RawTable], log: ErrorLog, since: int) -> None:
    """Problems of the county facts point at their own key's line of submission.yaml (a cell's
    column is its key, as written)."""
    lines = parts[0].key_lines if len(parts) == 1 else None
    if not lines:
        return
    for i in range(since, len(log.items)):
        problem = log.items[i]
        key = (problem.column or "").split(" (", 1)[0]
        line = lines[key] if key and key in lines else lines.get("")  # a missing fact: at facts:
        if isinstance(problem, MissingColumn):  # a fact, not a column: said as a key to add
            zh = (problem.column or "").partition(" (")[2].rstrip(")") or key
            problem = SubmissionProblem(
                file=problem.file,
                line=line,
                note=f"facts: '{key}' ({zh}) is missing; add it under facts:",
                note_zh=f"facts:缺少“{key}”({zh});请在 facts: 下补上",
            )
            log.items[i] = problem
        elif line is not None:
            log.items[i] = dataclasses.replace(problem, line=line)


class TableCheck:
    """Validation of one table, read from one or more files."""

    def __init__(self, spec: TableSpec, parts: list[RawTable], log: ErrorLog) -> None:
        self.spec = spec
        self.table = TableParts(parts)
        self.log = log
        self.headers: dict[str, str] = {}  # column name → header as written (first spelling seen)
        self.layouts: list[Layout] = []  # each file's frame: its columns and coded ones
        self.covered: list[bool] = []  # each file: whether the table's cells hold all its columns

    def run(
        self,
        texts: dict[str, pl.DataFrame],
        missing: tuple[str, ...] = ("",),
        plain_keys: set[tuple[str, str]] | None = None,
    ) -> pl.DataFrame | None:
        """The typed table, or None when it has problems; adds its text cells to ``texts``
        and its key columns of plain ASCII cells to ``plain_keys``."""
        plain_keys = set() if plain_keys is None else plain_keys
        seen: dict[tuple[str, ...], dict[str, str]] = {}  # town folders share one header, as a rule
        mapped = []
        for part in self.table.parts:
            key = tuple(part.header)
            positions = seen.get(key)
            if positions is None:
                positions = map_header(self.spec, part, self.log, self.headers)
                if positions is not None:  # a header with problems is mapped (and said) per file
                    seen[key] = positions
            mapped.append((part, positions))
        if any(positions is None for _, positions in mapped):
            return None
        found = {name for _, positions in mapped for name in positions or {}}
        present = [c for c in self.spec.columns if c.name in found and not c.personal]
        # files with the same header (a county's town folders, as a rule) are stacked first and
        # selected once: one query per layout, not one per file
        self.layouts = [(tuple(part.frame.columns), part.coded) for part in self.table.parts]
        # whether the table's cells hold every column of the file (a workbook's or a quoted
        # file's frame holds its other columns too: 序号, 备注)
        covers: dict[tuple[tuple[str, ...], int], bool] = {}  # per header: towns share one
        for (_, positions), (columns, _) in zip(mapped, self.layouts, strict=True):
            header = (columns, id(positions))
            if header not in covers:
                covers[header] = set(columns) <= {(positions or {}).get(c.name) for c in present}
            self.covered.append(covers[header])
        runs: list[tuple[dict[str, str], list[RawTable]]] = []
        for i, (part, positions) in enumerate(mapped):
            assert positions is not None
            if runs and runs[-1][0] == positions and self.layouts[i] == self.layouts[i - 1]:
                runs[-1][1].append(part)
            else:
                runs.append((positions, [part]))
        # a column coded in every file that holds it (io.coded: a large file's typed columns)
        # stays coded; where some files are plain text (a county's towns, mostly small), the
        # few coded ones are made plain, not the many plain ones coded; a table of few rows
        # (a county's communities) is made plain too: typing its text costs less than the
        # dictionary work, column by column
        many = sum(part.rows for part in self.table.parts) >= coded.FEW_ROWS
        coded_in = {
            c.name
            for c in present
            if c.coded
            and many
            and all(
                layout[1] and coded.is_coded(part.frame, positions[c.name])
                for (part, positions), layout in zip(mapped, self.layouts, strict=True)
                if positions is not None and c.name in positions
            )
        }
        # a whole-number or yes/no column read as values in every file that holds it
        # (io.plain_values: each cell proven written plainly) stays so: its values are its text
        typed_in = {
            c.name
            for c in present
            if c.kind in ("int", "bool")
            and all(
                coded.is_typed(part.frame, positions[c.name])
                for part, positions in mapped
                if positions is not None and c.name in positions
            )
        }
        numbers_in = {c.name for c in present if c.name in typed_in and c.kind == "int"}
        # each coded file's schema, once (a schema is built on each ask: towns have thousands)
        schemas = [(part.frame.schema, positions) for part, positions in mapped if coded_in and part.coded]
        kept = {
            c.name: coded.kept(
                c.name,
                [
                    schema[positions[c.name]]
                    for schema, positions in schemas
                    if positions and c.name in positions
                ],
            )
            if c.name in coded_in
            else cells.dtype(c)
            if c.name in typed_in
            else pl.String()
            for c in present
        }
        frames = [
            _stacked(group).select(
                _kept_as(group[0].frame, positions.get(c.name), kept[c.name]).alias(c.name) for c in present
            )
            for positions, group in runs
        ]
        text = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical")
        plain = [c for c in present if c.name not in coded_in and c.name not in typed_in]
        blanks = _as_empty(missing)
        if blanks is not None:  # the contract's missingValues read as empty cells
            text = text.with_columns(blanks(pl.col(c.name)).alias(c.name) for c in plain)
        has_plus = any(part.has_plus for part in self.table.parts)
        before = self.log.total
        # Stage 1: type every column as written, in one pass; cells that do not type (or that
        # a cheap length test doubts) are suspect. Clean data is done here. A coded column is
        # typed once per distinct value.
        lazy = text.lazy()  # lazily, so the engine shares each column's cast between its uses
        pairs = {c.name: cells.first_pair(c, text.get_column(c.name)) for c in plain if c.kind == "bool"}
        # a reference to a key column whose every cell is plain ASCII: a cell that is one of
        # those keys is plain too (one lookup, which the reference check needs anyway, instead
        # of a pattern over every character); any other cell is doubted, and looked at exactly
        known = {
            c.name: texts[c.references[0]].get_column(c.references[1]).unique()
            for c in plain
            if c.kind == "text"  # a key column's doubts are counted for text columns only
            and c.references is not None
            and c.references in plain_keys
            and c.references[0] in texts
        }
        by_value = coded.per_values(
            text, {c.name: cells.typed_as_written(c, blanks=blanks) for c in present if c.name in coded_in}
        )
        as_numbers = cells.typed_numbers(
            [c for c in present if c.name in numbers_in], self._bounds(mapped, numbers_in), missing
        )
        typed, doubt_frame = pl.collect_all(
            [
                lazy.select(
                    by_value[c.name]
                    if c.name in coded_in
                    else as_numbers[c.name]
                    if c.name in numbers_in
                    else pl.col(c.name)  # a yes/no read as one: true, false or empty (null)
                    if c.name in typed_in
                    else cells.typed_as_written(c, has_plus, pairs.get(c.name))
                    for c in present
                ),
                lazy.select(
                    (~pl.col(c.name).is_in(known[c.name].implode())).sum().alias(c.name)
                    if c.name in known
                    else cells.text_suspect(c).sum()
                    for c in plain
                    if c.kind == "text"
                ),
            ]
        )
        mixed = [c for c in plain if pairs.get(c.name) and typed[c.name].null_count()]
        if mixed:  # yes/no columns that use more than their first cell's pair of words
            typed = typed.with_columns(text.select(cells.typed_as_written(c) for c in mixed))
        doubts = doubt_frame.row(0, named=True) if doubt_frame.width else {}
        plain_keys.update(
            (self.spec.name, c.name) for c in plain if cells.is_key(c) and not doubts.get(c.name)
        )
        referenced = {name for name in known if not doubts.get(name)}  # every cell a known key
        keys = [c for c in plain if cells.is_key(c) and doubts.get(c.name)]
        if keys:  # a key beyond plain ASCII (a town's name, 城关镇) is doubted: looked at closely
            exact = text.select(cells.key_doubt(c, NOTE_MARKERS).sum().alias(c.name) for c in keys)
            doubts.update(exact.row(0, named=True))
        dirty = [c for c in present if (doubts[c.name] if c.kind == "text" else typed[c.name].null_count())]
        notes = [] if self.spec.facts else self._note_rows(text)  # 合计, 填表人… under a file's table
        if not dirty:
            self._say_notes(notes)
        else:
            # Stage 2, only for the columns that need it: trim, then classify each cell.
            text = text.with_columns(_trimmed(c, blanks, c.name in coded_in | typed_in) for c in dirty)
            blank = None if self.spec.facts else self._blank_rows(notes)  # facts: each empty one named
            if blank is not None:
                text = text.with_columns(pl.Series("__blank", blank))
            self._cell_checks(text, dirty, blank is not None)
            typed = typed.with_columns(text.select(cells.typed_trimmed(c) for c in dirty))
        # Relations look only at cells that passed their own checks (others are null or empty).
        # clean cells (as a rule): every relation counted at once, and looked for where found
        counts = relations.counted(self.spec, typed, text, texts, referenced) if not dirty else None
        relations.row_relations(self.spec, self.table, self.log, typed, self.where, counts)
        relations.uniques(self.spec, self.table, self.log, text, self.where, counts)
        relations.references(self.spec, self.table, self.log, text, texts, self.where, referenced, counts)
        texts[self.spec.name] = text.select(c.name for c in present if not c.coded)  # keys and towns
        return typed if self.log.total == before else None

    @staticmethod
    def _bounds(
        mapped: list[tuple[RawTable, dict[str, str] | None]], names: set[str]
    ) -> dict[str, tuple[int | None, int | None]]:
        """Each number column's lowest and highest value over the files, as their reading
        found them (io.plain_values); a column some file holds without them is left out."""
        found: dict[str, tuple[int | None, int | None]] = {}
        for name in names:
            lows, highs, known = [], [], True
            for part, positions in mapped:
                if positions is None or name not in positions:
                    continue
                if (seen := part.bounds.get(positions[name])) is None:
                    known = False
                    break
                lows += [seen[0]] if seen[0] is not None else []
                highs += [seen[1]] if seen[1] is not None else []
            if known:
                found[name] = (min(lows, default=None), max(highs, default=None))
        return found

    def where(self, col: ColumnSpec) -> str:
        """A column as messages name it: its header as written, and its name if that differs."""
        written = self.headers.get(col.name, col.name)
        return written if written == col.name else f"{written} ({col.name})"

    def _blank_rows(self, notes: list[tuple[int, str]]) -> pl.Series | None:
        """Report rows with every cell empty once each, instead of once per cell; and the note,
        signature or totals rows (``notes``) once each, as what they are."""
        blank = _empty_rows([part.frame for part in self.table.parts], self.layouts)  # names too
        count = int(blank.sum())
        if not count and not notes:
            return None
        if count:
            rows = blank.arg_true().head(self.log.cap)
            problems: list[DataError] = [BlankRow(**pos.at()) for pos in self.table.where(rows)]
            self.log.add_many(list(problems), count)
        if notes:
            self._say_notes(notes)
            skipped = blank.to_list()
            for row, _ in notes:
                skipped[row] = True
            blank = pl.Series("b", skipped)
        return blank

    def _note_rows(self, text: pl.DataFrame) -> list[tuple[int, str]]:
        """The note, signature or totals rows under each file's table (填表人…, 合计), as (row of
        the table, the word that marks it), whatever the cells above them hold. Each file's last
        row is looked at (in ``text``, the table's cells, in one query when there are many
        files); a file whose last row is a note (or empty) is then walked up from its end."""
        parts, starts = self.table.parts, self.table.starts
        files = [i for i, part in enumerate(parts) if part.rows]
        many = len(files) > _FEW_FILES
        covered = [i for i in files if self.covered[i]] if many else []
        # a file or a few, or a file with columns beyond the table's: its last row, read here
        alone = [i for i in files if not many or not self.covered[i]]
        suspects = [i for i in alone if _may_end_in_notes(parts[i].frame.row(parts[i].rows - 1))]
        if covered:  # many files: their last rows gathered from the table's cells, in one query
            tail = coded.as_text(text[[starts[i] + parts[i].rows - 1 for i in covered]])
            cell = [pl.col(c).fill_null("").str.strip_chars() for c in tail.columns]
            looks = pl.any_horizontal(c.str.contains(f"^(?:{NOTE_START.pattern})") for c in cell)
            empty = pl.all_horizontal(c == "" for c in cell)
            flags = tail.select((looks | empty).alias("f"))["f"]
            suspects = sorted(suspects + [i for i, flag in zip(covered, flags, strict=True) if flag])
        return [
            (starts[i] + row, marker) for i in suspects for row, marker in _trailing_notes(parts[i].frame)
        ]

    def _say_notes(self, notes: list[tuple[int, str]]) -> None:
        """One located problem for each note, signature or totals row."""
        if not notes:
            return
        where = self.table.where([row for row, _ in notes])
        self.log.add_many(
            [
                NoteRow(**pos.at(), note=marker, note_zh=marker)
                for pos, (_, marker) in zip(where, notes, strict=True)
            ],
            len(notes),
        )

    def _cell_checks(self, text: pl.DataFrame, present: list[ColumnSpec], has_blank: bool) -> None:
        """Run every per-cell check, reporting the cells that fail."""
        guarded = any(col.personal for col in self.spec.columns)
        checks = [check for col in present for check in cells.checks_for(col, self.where(col), guarded)]
        live = ~pl.col("__blank") if has_blank else pl.lit(True)
        counts = text.select((c.bad & live).sum().alias(str(i)) for i, c in enumerate(checks)).row(0)
        for check, count in zip(checks, counts, strict=True):
            if count:
                relations.report_rows(
                    self.table, self.log, text, check.bad & live, _cell_maker(check), int(count)
                )


def _stacked(parts: list[RawTable]) -> pl.DataFrame:
    """The rows of files of one layout, one file after another: a slice of the frame they were
    parsed in together (a county's towns, see ``RawTable.joined``) when they are its rows in
    order; else their frames put together, in one chunk (later queries run faster on one)."""
    if len(parts) == 1:
        return parts[0].frame
    if (first := parts[0].joined) is not None:
        parent, start, _ = first
        at = start
        for part in parts:
            if part.joined is None or part.joined[0] is not parent or part.joined[1] != at:
                break
            if part.frame is not part.joined[2]:  # its rows changed since (empty ones left out)
                break
            at += part.rows
        else:
            return parent.slice(start, at - start)
    return pl.concat([part.frame for part in parts], how="vertical", rechunk=True)


def _kept_as(frame: pl.DataFrame, position: str | None, dtype: pl.DataType) -> pl.Expr:
    """A file's column (by position; absent: empty cells) as the table keeps it. A coded
    column made plain gives its empty cells back as "" (coded, they are null), so that the
    checks of empty cells see them."""
    if position is None:  # coded or a number: null, the empty cell (a fixed list may not hold "")
        return pl.lit(None, dtype=dtype) if dtype != pl.String else pl.lit("", dtype=dtype)
    if dtype == pl.String and (coded.is_coded(frame, position) or coded.is_typed(frame, position)):
        return coded.text(position)
    if frame.get_column(position).dtype == dtype:  # as it is (a cast to its own list checks each row)
        return pl.col(position)
    return pl.col(position).cast(dtype)


#: a file's columns and its coded ones with their dictionaries (a town's file: none): frames
#: of one layout stack (cheaper to compare than their schemas)
Layout = tuple[tuple[str, ...], tuple[tuple[int, str], ...]]


def _empty_rows(frames: list[pl.DataFrame], layouts: list[Layout]) -> pl.Series:
    """Per row of the frames end to end, whether every cell is empty or spaces: one query for
    each run of frames with one layout (a county's town folders, as a rule), not one a file."""

    def empty(cell: pl.Expr) -> pl.Expr:
        return cell.fill_null("").str.strip_chars() == ""

    runs: list[list[pl.DataFrame]] = []
    for i, frame in enumerate(frames):
        if runs and layouts[i] == layouts[i - 1]:
            runs[-1].append(frame)
        else:
            runs.append([frame])
    flags = []
    for run in runs:
        every = run[0] if len(run) == 1 else pl.concat(run, how="vertical")
        flags.append(
            every.select(pl.all_horizontal(coded.tests(every, every.columns, empty)).alias("b"))["b"]
        )
    return pl.concat(flags)


def _as_empty(missing: tuple[str, ...]) -> Callable[[pl.Expr], pl.Expr] | None:
    """The contract's ``missingValues`` ("/", "无") read as empty cells; None when only "" is."""
    if set(missing) == {""}:
        return None
    words = list(missing)
    return lambda cell: pl.when(cell.str.strip_chars().is_in(words)).then(pl.lit("")).otherwise(cell)


def _trimmed(col: ColumnSpec, blanks: Callable[[pl.Expr], pl.Expr] | None, is_coded: bool) -> pl.Expr:
    """Stage 2's text of a column: trimmed, and a coded column as plain text (its missing
    values read as empty, as stage 1 read them)."""
    if not is_coded:
        return pl.col(col.name).str.strip_chars()
    cell = coded.text(col.name)
    return (blanks(cell) if blanks is not None else cell).str.strip_chars().alias(col.name)


#: tables of at most this many files have their last rows looked at one by one, not in a query
_FEW_FILES = 64


def _may_end_in_notes(row: tuple[Any, ...]) -> bool:
    """Whether a file's last row is empty or holds a note (then its end is looked at closely)."""
    cells = ["" if value is None else str(value).strip() for value in row]
    return all(cell == "" for cell in cells) or any(NOTE_START.match(cell) for cell in cells)


def _trailing_notes(frame: pl.DataFrame, look: int = 50) -> list[tuple[int, str]]:
    """The rows at the end of a table (after its last record) that are notes, signatures or
    totals, each with the word that marks it; blank rows among them are left to the blank check."""
    found: list[tuple[int, str]] = []
    for row in range(frame.height - 1, max(frame.height - look, 0) - 1, -1):  # one row, as a rule
        cells = [str(c).strip() for c in frame.row(row) if c is not None and str(c).strip()]
        if not cells:
            continue
        if not any(NOTE_START.match(c) for c in cells):  # a record: the notes, if any, are below
            break
        marker = next(m for m in NOTE_MARKERS for c in cells if c.startswith(m))  # the list's order
        found.append((row, marker))
    return sorted(found)


def _cell_maker(check: cells.Check) -> relations.Make:
    """A problem for one failing cell of ``check``'s column, from the row holding it."""
    name = check.column.name

    def make(pos: Position, row: dict[str, Any]) -> DataError:
        return check.make(pos, row[name])

    return make
