"""docs/benchmarks.md holds one generated section per benchmark between markers; the notes around
them are written by hand and survive every rerun."""

from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(name: str, lines: list[str]) -> None:
    """Replace the generated section `name` (or add it at the end), keeping everything else."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = "\n".join([begin, *lines, end])
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)
