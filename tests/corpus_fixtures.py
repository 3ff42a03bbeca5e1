"""Invented test articles written to disk (no real news text: every article is made up here)."""
from __future__ import annotations

from pathlib import Path

TOPICS = ["bridge", "hospital", "school", "railway", "harbour", "airport", "library", "stadium"]
PEOPLE = ["Mayor Ann Lee", "Governor Tom Hart", "Senator Rita Voss", "Minister Paul Okafor"]


def write_corpus(folder: Path, n: int) -> list[Path]:
    """n short news articles, each different (so each has its own article id)."""
    folder.mkdir()
    paths = []
    for i in range(n):
        topic, person = TOPICS[i % len(TOPICS)], PEOPLE[i % len(PEOPLE)]
        text = (f"City weighs plans for the {topic} number {i}\n\n"
                f"{person} said on Monday that the new {topic} would cost {i + 3} million "
                f"dollars. Officials told reporters that work on the {topic} had been delayed "
                f"by {i % 7 + 2} months. \"We will finish it by {2030 + i % 5},\" {person} "
                f"said. Critics argued that the budget for the {topic} was unrealistic.\n")
        path = folder / f"article{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
