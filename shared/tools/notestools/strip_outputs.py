"""Check (or strip) outputs and execution counts from the source notebooks.

    python shared/tools/strip_outputs.py --check     # exit 1 if any notebook has outputs
    python shared/tools/strip_outputs.py             # strip them in place
"""

import argparse
import json
import sys
from pathlib import Path

from .notebooks import source_notebooks


def dirty_cells(nb):
    return [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
            and (c.get("outputs") or c.get("execution_count") is not None)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args(argv)
    bad = []
    for path in source_notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = dirty_cells(nb)
        if not cells:
            continue
        bad.append(path)
        if not args.check:
            for i in cells:
                nb["cells"][i]["outputs"], nb["cells"][i]["execution_count"] = [], None
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for path in bad:
        print(f"{'has outputs' if args.check else 'stripped'}: {path}")
    return 1 if bad and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
