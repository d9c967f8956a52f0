"""What a check is and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CheckResult:
    name: str
    asset: tuple[str, ...]
    severity: str  # error | warn
    passed: bool
    failing_rows: int
    message: str
    sample: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.passed:
            return "pass"
        return "FAIL" if self.severity == "error" else "warn"


def table(results: list[CheckResult]) -> str:
    """The results as a fixed-width table: check, asset, severity, status, failing rows."""
    headers = ("check", "asset", "severity", "status", "failing rows")
    rows = [(r.name, ".".join(r.asset), r.severity, r.status, str(r.failing_rows)) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in rows]
    for r in results:
        if not r.passed:
            out.append(f"{r.status} {r.name}: {r.message}")
            out += [f"    {s}" for s in r.sample[:5]]
    return "\n".join(out)
