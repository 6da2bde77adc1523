"""How a legal page's plain text is shown: headings and paragraphs with their line breaks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    heading: bool
    lines: tuple[str, ...]

    @property
    def is_list(self) -> bool:
        """A paragraph whose every line starts with "- " is a bulleted list."""
        return not self.heading and all(line.startswith("- ") for line in self.lines)

    @property
    def items(self) -> list[str]:
        return [line[2:].strip() for line in self.lines]


def blocks(text: str) -> list[Block]:
    """Blocks of a text: a line starting with "## " is a heading, blank lines separate paragraphs, and a paragraph
    of lines that all start with "- " is a list."""
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
