"""A plain-text table for benchmark results."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    """Rows of one benchmark section, printed as an aligned text table.

    ``columns`` names the columns; each row is a sequence of cells (formatted with ``str``).
    ``notes`` are printed under the table (targets, machine facts).
    """

    title: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        """Append one row; it must have one cell per column."""
        if len(cells) != len(self.columns):
            raise ValueError(
                f"{self.title}: row has {len(cells)} cells, table has {len(self.columns)} columns"
            )
        self.rows.append(list(cells))

    def render(self) -> str:
        """Return the table as text: title, header, separator, rows, notes."""
        cells = [self.columns] + [[str(c) for c in row] for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = [f"## {self.title}", ""]
        lines.append(" | ".join(h.ljust(w) for h, w in zip(self.columns, widths, strict=True)))
        lines.append("-+-".join("-" * w for w in widths))
        for row in cells[1:]:
            lines.append(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines) + "\n"
