"""A benchmark figure and how it reads in RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: float
    #: Seconds of the baseline timed in the same run (openpyxl alone, a bare window...).
    baseline: float | None = None
    #: Absolute goal in seconds, or a goal as a ratio to the baseline.
    goal: float | None = None
    goal_ratio: float | None = None
    #: Peak memory in MB, where measured.
    peak_mb: float | None = None
    goal_mb: float | None = None
    note: str = ""
    #: The ratio judged, when runs were paired with their baseline (else medians are divided).
    paired_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.paired_ratio is not None:
            return self.paired_ratio
        return self.seconds / self.baseline if self.baseline else None

    @property
    def met(self) -> bool | None:
        checks: list[bool] = []
        if self.goal is not None:
            checks.append(self.seconds <= self.goal)
        if self.goal_ratio is not None and self.ratio is not None:
            checks.append(self.ratio <= self.goal_ratio)
        if self.goal_mb is not None and self.peak_mb is not None:
            checks.append(self.peak_mb <= self.goal_mb)
        return all(checks) if checks else None

    def goal_text(self) -> str:
        parts = []
        if self.goal is not None:
            parts.append(f"≤ {self.goal * 1000:.0f} ms")
        if self.goal_ratio is not None:
            parts.append(f"≤ {self.goal_ratio:g}× baseline")
        if self.goal_mb is not None:
            parts.append(f"≤ {self.goal_mb:.0f} MB")
        return ", ".join(parts) or "—"

    def row(self) -> str:
        ratio = f"{self.ratio:.2f}×" if self.ratio is not None else "—"
        baseline = f"{self.baseline * 1000:.0f} ms" if self.baseline is not None else "—"
        memory = f"{self.peak_mb:.0f} MB" if self.peak_mb is not None else "—"
        verdict = {True: "met", False: "**not met**", None: "—"}[self.met]
        return (
            f"| {self.name} | {self.seconds * 1000:.1f} ms | {baseline} | {ratio} | {memory} | "
            f"{self.goal_text()} | {verdict} |"
        )


TABLE_HEADER = (
    "| measurement | median | baseline | ratio | peak memory | goal | verdict |\n"
    "| --- | ---: | ---: | ---: | ---: | --- | --- |"
)
