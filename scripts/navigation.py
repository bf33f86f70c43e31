#!/usr/bin/env python3
"""Generate the navigation bars and the contents tables from the notebooks' titles.

    python scripts/navigation.py          # rewrite what is out of date
    python scripts/navigation.py --check  # exit 1 (and list the files) if anything is out of date

Safe to re-run: it only rewrites

* the first and last cell of each notebook (tagged ``navigation``):
  ``< previous | Contents | next >``, linking the real neighbours;
* the cell tagged ``contents`` in ``00_start_here.ipynb`` (the map of the series);
* the block between ``<!-- contents:start -->`` and ``<!-- contents:end -->`` in README.md;
* cell ids that do not follow the series' one scheme, ``nbNN-KK`` for notebook NN (``nb03-17``; the
  navigation bars are ``nav-top`` and ``nav-bottom``): a cell added in JupyterLab gets a random id,
  which becomes the next free ``nbNN-KK``. Ids that follow the scheme never change, so inserting
  or moving a cell renames nothing else.

A notebook's title is its first Markdown heading (``# 3. Vanishing gradients``);
its one-line summary is ``metadata["summary"]`` of the notebook, or else the first
sentence of the paragraph under that heading.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
NAME_RE = re.compile(r"^(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")
START, END = "<!-- contents:start -->", "<!-- contents:end -->"
MAP_ANCHOR = "Map-of-the-series"


def notebook_paths() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if NAME_RE.match(p.name))


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _is_nav(cell) -> bool:
    return "navigation" in cell.get("metadata", {}).get("tags", [])


def title_and_summary(nb: dict) -> tuple[str, str]:
    """The first '# ' heading of the first non-navigation Markdown cell, and the next sentence."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown" or _is_nav(cell):
            continue
        lines = _source(cell).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("# "):
                rest = " ".join(l.strip() for l in lines[i + 1:] if l.strip() and not l.startswith("#"))
                sentence = re.split(r"(?<=[.!?])\s", rest, maxsplit=1)[0] if rest else ""
                return line[2:].strip(), nb.get("metadata", {}).get("summary") or sentence
        break
    raise ValueError("the notebook must start (after its navigation bar) with a Markdown cell "
                     "whose first heading is the numbered title, e.g. '# 3. Vanishing gradients'")


WORDS_PER_MINUTE = 200


def reading_length(nb: dict) -> str:
    """Words of prose (Markdown cells, without navigation bars, the generated map, display maths and link
    targets) and minutes at 200 words a minute."""
    text = " ".join(_source(c) for c in nb["cells"] if c["cell_type"] == "markdown" and not _is_nav(c)
                    and "contents" not in c.get("metadata", {}).get("tags", []))
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)     # display maths reads as one glance, not as words
    text = re.sub(r"\]\([^)]*\)", "]", text)                 # link targets are not read
    words = len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’\-]*", text))
    return f"{words:,} words, {max(1, round(words / WORDS_PER_MINUTE))} min"


def _link(title: str, path: Path) -> str:
    return f"[{title}]({path.name})"


def nav_text(paths: list[Path], titles: list[str], i: int) -> str:
    prev_ = f"&lt; {_link(titles[i - 1], paths[i - 1])}" if i > 0 else ""
    next_ = f"{_link(titles[i + 1], paths[i + 1])} &gt;" if i + 1 < len(paths) else ""
    contents = f"[Contents]({paths[0].name}#{MAP_ANCHOR})"
    return "<!--NAVIGATION-->\n" + " | ".join(p for p in (prev_, contents, next_) if p)


def _nav_cell(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {"tags": ["navigation"]}, "source": text}


def contents_table(paths, titles, summaries, link_prefix: str, lengths) -> str:
    rows = ["| | Notebook | What it shows | Reading |", "|---|---|---|---|"]
    for p, t, s, n in zip(paths, titles, summaries, lengths):
        number, _, name = t.partition(". ")
        rows.append(f"| {number} | [{name or t}]({link_prefix}{p.name}) | {s} | {n} |")
    return "\n".join(rows)


def cell_id_pattern(path: Path) -> re.Pattern:
    """Ids of the notebook's own cells: ``nbNN-`` and at least two digits (``nb03-07``, ``nb03-112``)."""
    return re.compile(rf"nb{path.name[:2]}-\d{{2,}}")


def normalise_ids(path: Path, cells: list[dict]) -> None:
    """Give every cell whose id does not follow the scheme (or repeats an earlier one) the next free id."""
    pattern = cell_id_pattern(path)
    used = [c.get("id", "") for c in cells]
    taken = [int(i.split("-")[1]) for i in used if pattern.fullmatch(i)]
    next_free = max(taken, default=0) + 1
    seen = set()
    for cell in cells:
        cid = cell.get("id", "")
        if not pattern.fullmatch(cid) or cid in seen:
            cid = f"nb{path.name[:2]}-{next_free:02d}"
            next_free += 1
            cell["id"] = cid
        seen.add(cid)


def dump(nb: dict) -> str:
    """The notebook as JupyterLab (and nbformat) save it: sources as lists of lines, keys sorted,
    one-space indent, so that opening and saving a notebook rewrites nothing."""
    for cell in nb["cells"]:
        cell["source"] = _source(cell).splitlines(keepends=True)
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def build() -> dict[Path, str]:
    """Return {path: new text} for every file whose generated parts are out of date."""
    paths = notebook_paths()
    if not paths:
        return {}
    nbs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    infos = [title_and_summary(nb) for nb in nbs]
    titles, summaries = [t for t, _ in infos], [s for _, s in infos]
    lengths = [reading_length(nb) for nb in nbs]
    changes: dict[Path, str] = {}
    for i, (p, nb) in enumerate(zip(paths, nbs)):
        old = p.read_text(encoding="utf-8")
        cells = [c for c in nb["cells"] if not _is_nav(c)]
        normalise_ids(p, cells)
        text = nav_text(paths, titles, i)
        for c in cells:
            if "contents" in c.get("metadata", {}).get("tags", []):
                c["source"] = "## Map of the series\n\n" + contents_table(paths, titles, summaries, "", lengths)
        nb["cells"] = [_nav_cell("nav-top", text)] + cells + [_nav_cell("nav-bottom", text)]
        new = dump(nb)
        if new != old:
            changes[p] = new
    if README.exists():
        old = README.read_text(encoding="utf-8")
        if START in old and END in old:
            head, rest = old.split(START, 1)
            _, tail = rest.split(END, 1)
            table = contents_table(paths, titles, summaries, "notebooks/", lengths)
            new = f"{head}{START}\n{table}\n{END}{tail}"
            if new != old:
                changes[README] = new
    return changes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date files; exit 1 if any")
    args = parser.parse_args(argv)
    changes = build()
    for path, text in changes.items():
        rel = path.relative_to(ROOT)
        if args.check:
            print(f"out of date: {rel} (run: python scripts/navigation.py)")
        else:
            path.write_text(text, encoding="utf-8")
            print(f"updated {rel}")
    return 1 if (args.check and changes) else 0


if __name__ == "__main__":
    sys.exit(main())
