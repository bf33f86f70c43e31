"""Start the next notebook of the series from templates/: the one script a contributor runs.

    python scripts/new_notebook.py "Gated recurrent units" --summary "GRUs: two gates, one state."

It makes, for the next free number NN,
- ``notebooks/NN_gated_recurrent_units.ipynb`` from ``templates/notebook_template.ipynb``
  (title numbered, the exercise module imported, ``metadata.summary`` set);
- ``helpers/exercises/nbNN.py`` from ``templates/exercises_template.py``;
- a section ``## N. Title`` after the last lecture's in INSTRUCTORS.md (before the hub section), to fill in;
and then regenerates the navigation bars and contents tables (scripts/navigation.py).
It refuses to overwrite anything. See CONTRIBUTING.md for what to write next.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# INSTRUCTORS.md ends with this section (its sizing table needs a row for the new notebook too).
HUB_SECTION = "## Serving the course from a JupyterHub"
sys.path.insert(0, str(ROOT / "scripts"))
import navigation  # noqa: E402

TEMPLATE_TITLE = "# N. Title of the idea"


def slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    if not words:
        raise ValueError(f"title must contain letters or digits, got {title!r}")
    return "_".join(words)


def create(title: str, summary: str | None = None) -> list[Path]:
    """Create the notebook, its exercise module and its instructor's section; return the files written."""
    if not title.strip():
        raise ValueError("title must not be empty")
    number = len(navigation.notebook_paths())
    nn = f"{number:02d}"
    notebook = ROOT / "notebooks" / f"{nn}_{slug(title)}.ipynb"
    exercises = ROOT / "helpers" / "exercises" / f"nb{nn}.py"
    same_title = [p for p in navigation.notebook_paths() if p.name[3:] == notebook.name[3:]]
    for path in same_title + [notebook, exercises]:
        if path.exists():
            raise FileExistsError(f"{path.relative_to(ROOT)} exists already")

    nb = json.loads((ROOT / "templates" / "notebook_template.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        text = "".join(cell["source"]).replace(TEMPLATE_TITLE, f"# {number}. {title.strip()}")
        cell["source"] = text.replace("nbNN", f"nb{nn}")
    if summary:
        nb["metadata"]["summary"] = summary.strip()
    notebook.write_text(navigation.dump(nb), encoding="utf-8")

    module = (ROOT / "templates" / "exercises_template.py").read_text(encoding="utf-8")
    exercises.write_text(module.replace("notebooks/NN_slug.ipynb", f"notebooks/{notebook.name}")
                         .replace(" (made from templates/)", ""), encoding="utf-8")

    guide = ROOT / "INSTRUCTORS.md"
    section = (f"\n## {number}. {title.strip()} — `make present NB={nn}`\n\n"
               "**Demo:** the section and its sliders.\n\n"
               "**Ask:** the question to put to the room before anyone moves a slider.\n\n"
               "**The room sees:** what the figure shows at the values to try, with the numbers the notebook asserts.\n")
    text = guide.read_text(encoding="utf-8")
    lectures, hub, rest = text.partition(HUB_SECTION)   # the lecture pages come first, the hub section last
    guide.write_text(lectures.rstrip("\n") + "\n" + section + ("\n" + hub + rest if hub else ""), encoding="utf-8")

    written = [notebook, exercises, guide]
    for path, text in navigation.build().items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("title", help='the notebook\'s title, e.g. "Gated recurrent units"')
    parser.add_argument("--summary", help="one line for the contents table")
    args = parser.parse_args(argv)
    try:
        written = create(args.title, args.summary)
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    for path in dict.fromkeys(written):
        print(f"wrote {path.relative_to(ROOT)}")
    nn = written[0].name[:2]
    print("Next: write the notebook (CONTRIBUTING.md); measure it for INSTRUCTORS.md's sizing table:\n"
          f"  .venv/bin/python -m benchmarks --only sizing --notebooks '{nn}_*'   (paste the row it prints)\n"
          f"then: make test-quick NB={nn}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
