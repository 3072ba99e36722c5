"""bench/serving.py: resident memory counts each process once."""

from __future__ import annotations

from pathlib import Path

from bench.serving import rss_mb


def status(proc: Path, pid: int, parent: int, rss_kb: int | None) -> None:
    """A /proc/PID/status as Linux writes it (kernel threads have no VmRSS)."""
    (proc / str(pid)).mkdir()
    lines = [f"Name:\tprocess{pid}", f"Pid:\t{pid}", f"PPid:\t{parent}"]
    if rss_kb is not None:
        lines.append(f"VmRSS:\t  {rss_kb} kB")
    (proc / str(pid) / "status").write_text("\n".join(lines) + "\n")


def test_a_process_and_its_children_are_each_counted_once(tmp_path: Path) -> None:
    status(tmp_path, 100, parent=1, rss_kb=1024)  # the server
    status(tmp_path, 101, parent=100, rss_kb=2048)  # a forked worker
    status(tmp_path, 102, parent=100, rss_kb=None)
    status(tmp_path, 103, parent=1, rss_kb=8192)  # someone else's
    (tmp_path / "self").mkdir()  # not a process number

    assert rss_mb(100, proc=tmp_path) == 3.0
    assert rss_mb(101, proc=tmp_path) == 2.0


def test_a_process_gone_counts_nothing(tmp_path: Path) -> None:
    status(tmp_path, 103, parent=1, rss_kb=8192)

    assert rss_mb(100, proc=tmp_path) == 0.0
