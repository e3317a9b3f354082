"""Fault injection (issue #11): a full disk, a file-size limit, signals while writing, a read-only
folder, two runs at once. The promise each time: the inputs are unchanged, and an output is
either the old one intact or the new one complete — never partial, never a mix."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders import community, household, write_folder

TOOL = [sys.executable, "-m", "houfu_check"]


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def _county(tmp_path: Path, name: str = "data", failing: int = 300) -> Path:
    homes = [household(f"H{i:05d}", stably_employed_count=0 if i < failing else 1) for i in range(2_000)]
    return write_folder(tmp_path / name, [community()], homes)


def _lists(folder: Path) -> dict[str, list[str]]:
    """The lists in an export folder, checked whole: the manifest names exactly the files there."""
    manifest = folder / ".houfu-check-lists"
    named = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    assert sorted(named) == present, (named, present)
    return {
        name: (folder / name).read_text(encoding="utf-8-sig").splitlines()
        for name in present
        if name.endswith(".csv")
    }


def _limited(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_file_size_limit_on_the_report_is_a_sentence(tmp_path: Path) -> None:
    data = _county(tmp_path)
    before = _digest(data)
    out = tmp_path / "report.json"
    out.write_text('{"old": true}', encoding="utf-8")
    proc = subprocess.run(
        [*TOOL, "report", str(data), "-f", "json", "-o", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: _limited(2_000),
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "cannot write the report: File too large" in proc.stderr
    assert "Usage:" not in proc.stderr
    assert "Invalid value" not in proc.stderr
    assert "internal error" not in proc.stderr
    assert out.read_text(encoding="utf-8") == '{"old": true}'  # the old report, intact
    assert _digest(data) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.json.")]  # no temp file left


def test_a_full_disk_during_an_export_keeps_the_old_lists(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    old = _county(tmp_path, "old", failing=10)
    assert (
        subprocess.run(
            [*TOOL, "report", str(old), "--export-failing", str(lists)], capture_output=True, check=False
        ).returncode
        == 1
    )
    before = _lists(lists)
    new = _county(tmp_path, "new", failing=1_500)
    proc = subprocess.run(
        [*TOOL, "report", str(new), "--export-failing", str(lists)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: _limited(20_000),
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "cannot write the lists" in proc.stderr
    assert "Usage:" not in proc.stderr
    assert _lists(lists) == before
    assert not [p for p in lists.iterdir() if p.name.startswith(".houfu-check-new-")]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2])
def test_a_signal_while_exporting_leaves_old_or_new(tmp_path: Path, sig: int, delay: float) -> None:
    lists = tmp_path / "lists"
    old = _county(tmp_path, "old", failing=10)
    subprocess.run(
        [*TOOL, "report", str(old), "--export-failing", str(lists)], capture_output=True, check=False
    )
    before = _lists(lists)
    new = _county(tmp_path, "new", failing=1_500)
    inputs = _digest(new)
    proc = subprocess.Popen(
        [*TOOL, "report", str(new), "--export-failing", str(lists)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    after = _lists(lists)
    complete = subprocess.run(
        [*TOOL, "report", str(new), "--export-failing", str(tmp_path / "fresh")],
        capture_output=True,
        check=False,
    )
    assert complete.returncode == 1
    assert after in (before, _lists(tmp_path / "fresh"))
    assert _digest(new) == inputs
    assert not [p for p in lists.iterdir() if p.name.startswith(".houfu-check-new-")]


def test_two_exports_at_once_never_mix(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    a, b = _county(tmp_path, "a", failing=10), _county(tmp_path, "b", failing=1_500)
    runs = [
        subprocess.Popen(
            [*TOOL, "report", str(folder), "--export-failing", str(lists)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for folder in (a, b, a, b)
    ]
    for proc in runs:
        assert proc.wait(timeout=120) == 1
    after = _lists(lists)
    one = {}
    for folder, name in ((a, "fa"), (b, "fb")):
        subprocess.run(
            [*TOOL, "report", str(folder), "--export-failing", str(tmp_path / name)],
            capture_output=True,
            check=False,
        )
        one[name] = _lists(tmp_path / name)
    assert after in (one["fa"], one["fb"])


def test_a_read_only_export_folder_is_a_sentence(tmp_path: Path) -> None:
    data = _county(tmp_path)
    lists = tmp_path / "lists"
    lists.mkdir()
    lists.chmod(0o500)
    try:
        if os.access(lists, os.W_OK):  # root writes anywhere: a file where the folder should be
            lists.chmod(0o700)
            lists.rmdir()
            lists.write_text("not a folder", encoding="utf-8")
        proc = subprocess.run(
            [*TOOL, "report", str(data), "--export-failing", str(lists)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert "cannot write the lists" in proc.stderr
        assert "internal error" not in proc.stderr
    finally:
        if lists.is_dir():
            lists.chmod(0o700)


def test_the_json_report_of_a_run_killed_midway_is_never_partial(tmp_path: Path) -> None:
    data = _county(tmp_path)
    out = tmp_path / "report.json"
    out.write_text('{"old": true}', encoding="utf-8")
    for delay in (0.2, 0.5, 0.8):
        proc = subprocess.Popen(
            [*TOOL, "report", str(data), "-f", "json", "-o", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        text = out.read_text(encoding="utf-8")
        assert text == '{"old": true}' or json.loads(text)["tool"] == "houfu-check"
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.json.")]


def test_a_swap_killed_midway_is_completed_by_the_next_run(tmp_path: Path) -> None:
    """SIGKILL cannot be held back: the state a kill in the middle of the swap leaves (journal
    written, one new list moved, one old list removed, the staging folder still there) is
    completed from the journal by the next clearing or export, and dead staging folders go."""
    from houfu_check.exports import clear_previous

    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "a.csv").write_text("old a\n", encoding="utf-8")  # replaced by the new a, already moved
    (lists / ".houfu-check-lists").write_text("a.csv\nb.csv\nc.csv\n", encoding="utf-8")  # b: removed
    (lists / "c.csv").write_text("old c\n", encoding="utf-8")  # not in the new lists: to remove
    staging = lists / ".houfu-check-new-dead"
    staging.mkdir()
    (staging / "d.csv").write_text("new d\n", encoding="utf-8")  # not moved yet
    (lists / "a.csv").write_text("new a\n", encoding="utf-8")
    (lists / ".houfu-check-swap").write_text(".houfu-check-new-dead\na.csv\nd.csv\n", encoding="utf-8")
    other = lists / ".houfu-check-new-older"  # a run that died before its swap
    other.mkdir()
    (other / "x.csv").write_text("x\n", encoding="utf-8")
    (lists / "notes.txt").write_text("the clerk's own file\n", encoding="utf-8")

    removed = clear_previous(lists)  # completes the swap, then clears the (new) lists it made
    assert sorted(removed) == ["a.csv", "d.csv"]
    assert sorted(p.name for p in lists.iterdir()) == ["notes.txt"]  # no mix, no staging, no journal


@pytest.mark.parametrize("delay", [0.6, 1.2])  # the swap logic itself: the crafted-state test
def test_a_sigkill_while_exporting_is_repaired_by_the_next_export(tmp_path: Path, delay: float) -> None:
    lists = tmp_path / "lists"
    old = _county(tmp_path, "old", failing=10)
    subprocess.run(
        [*TOOL, "report", str(old), "--export-failing", str(lists)], capture_output=True, check=False
    )
    new = _county(tmp_path, "new", failing=1_500)
    proc = subprocess.Popen(
        [*TOOL, "report", str(new), "--export-failing", str(lists)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.kill()
    proc.wait(timeout=60)
    again = subprocess.run(
        [*TOOL, "report", str(old), "--export-failing", str(lists)], capture_output=True, check=False
    )
    assert again.returncode == 1
    fresh = tmp_path / "fresh"
    subprocess.run(
        [*TOOL, "report", str(old), "--export-failing", str(fresh)], capture_output=True, check=False
    )
    assert _lists(lists) == _lists(fresh)  # whatever the kill left, the next export is whole
    assert not [p for p in lists.iterdir() if p.name.startswith((".houfu-check-new-", ".houfu-check-swap"))]


@pytest.mark.parametrize("delay", [0.02, 0.05, 0.08, 0.12, 0.16, 0.2])
def test_ctrl_c_while_the_tool_starts_ends_quietly(tmp_path: Path, delay: float) -> None:
    """An interrupt while the command line is still being imported ends as one later does:
    exit 130 and no traceback."""
    folder = _county(tmp_path, "c", failing=1)
    proc = subprocess.Popen(
        [*TOOL, "report", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode in (130, 1), err  # interrupted, or done first (a target missed)


def test_the_console_script_collects_garbage_less_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run's many short-lived objects are freed by reference counting; the cyclic collector
    runs after every 50,000 new ones (launch.GC_THRESHOLDS), not every 700."""
    import gc

    from houfu_check import cli, launch

    seen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(gc.get_threshold()))
    before = gc.get_threshold()
    try:
        launch.main()
    finally:
        gc.set_threshold(*before)
    assert seen == [launch.GC_THRESHOLDS]
