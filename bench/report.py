"""A scenario's results: figures against their bars, written to bench/results/<date>-<id>.md."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import machine

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Check:
    name: str
    measured: str
    bar: str
    passed: bool | None  # None: a goal or a figure without a bar
    kind: str = "bar"  # "bar", "goal" or "info"

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return "n/a" if self.kind == "info" else "MISSING"
        if self.kind == "goal":
            return "GOAL MET" if self.passed else "GOAL MISSED"
        return "PASS" if self.passed else "FAIL"


@dataclass
class Report:
    id: str
    title: str
    checks: list[Check] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))

    def check(self, name: str, measured: str, bar: str, passed: bool | None,
              kind: str = "bar") -> Check:
        item = Check(name, measured, bar, passed, kind)
        self.checks.append(item)
        return item

    def section(self, heading: str, body: str) -> None:
        self.sections.append((heading, body.rstrip() + "\n"))

    def failed(self) -> bool:
        return any(c.kind == "bar" and c.passed is False for c in self.checks)

    def markdown(self, facts: dict[str, str]) -> str:
        lines = [f"# {self.id.upper()}: {self.title}", ""]
        command = " ".join(shlex.quote(a) for a in [
            "python", "-m", "bench", *sys.argv[1:]])
        lines += [f"- command: `{command}`",
                  f"- date: {self.started:%Y-%m-%d %H:%M:%S} UTC"]
        lines += [f"- {k}: {v}" for k, v in facts.items()]
        lines += ["", "| figure | measured | bar | verdict |", "|---|---|---|---|"]
        lines += [f"| {c.name} | {c.measured} | {c.bar} | {c.verdict} |" for c in self.checks]
        if self.notes:
            lines += [""] + [f"- {n}" for n in self.notes]
        for heading, body in self.sections:
            lines += ["", f"## {heading}", "", body.rstrip()]
        return "\n".join(lines) + "\n"

    def write(self, facts: dict[str, str] | None = None) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{self.started:%Y-%m-%d}-{self.id}.md"
        path.write_text(self.markdown(facts or machine.describe()))
        return path


def table(headers: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"
