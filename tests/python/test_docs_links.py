# SPDX-License-Identifier: MIT
"""Every relative link in the README and the Markdown pages of docs/, studies/, bench/ and examples/ points at a file
or folder that exists. Needs no build: it reads the Markdown only."""
import re
from pathlib import Path
from typing import Iterator, List, Tuple

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", "docs/**/*.md", "studies/**/*.md", "bench/**/*.md", "examples/**/*.md"]

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
# [text](target) and ![alt](target), with an optional title: [text](target "title")
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, ...


def pages() -> List[Path]:
    found = set()
    for pattern in PAGES:
        found.update(path for path in ROOT.glob(pattern) if path.is_file())
    return sorted(found)


def relative_links(page: Path) -> Iterator[Tuple[int, str]]:
    """(line number, target) of every relative link of a page, outside code blocks and code spans."""
    text = page.read_text(encoding="utf-8")
    blanked = FENCE.sub(lambda match: "\n" * match.group(0).count("\n"), text)
    blanked = CODE_SPAN.sub(lambda match: " " * len(match.group(0)), blanked)
    for match in LINK.finditer(blanked):
        target = match.group(1)
        if EXTERNAL.match(target) or target.startswith("#"):
            continue
        yield blanked.count("\n", 0, match.start()) + 1, target


def broken_links() -> List[str]:
    broken = []
    for page in pages():
        for line, target in relative_links(page):
            path = target.split("#", 1)[0].split("?", 1)[0]
            resolved = (ROOT / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
            if not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)}:{line}: {target}")
    return broken


def test_the_pages_are_found():
    names = {str(page.relative_to(ROOT)) for page in pages()}
    assert "README.md" in names and "docs/validation.md" in names


def test_every_relative_link_resolves():
    broken = broken_links()
    assert not broken, f"{len(broken)} broken relative link(s):\n" + "\n".join(broken)
