"""How a legal page's plain text is shown: headings and paragraphs with their line breaks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    heading: bool
    lines: tuple[str, ...]


def blocks(text: str) -> list[Block]:
    """Blocks of a text: a line starting with "## " is a heading, blank lines separate paragraphs."""
    result, lines = [], []

    def close():
        if lines:
            result.append(Block(False, tuple(lines)))
            lines.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("## "):
            close()
            result.append(Block(True, (line[3:].strip(),)))
        elif line.strip():
            lines.append(line.strip())
        else:
            close()
    close()
    return result
