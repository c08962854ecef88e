"""Known-good versions: constraints.txt pins, within the ranges of requirements.txt and
pyproject.toml, every package of an environment where the whole suite passed.

    python -m notestools.constraints --write   # record this environment (after `make test` passed)
    python -m notestools.constraints --check   # every pin satisfies the ranges it must meet

`make install` and CI install with ``-c constraints.txt``, so a fresh install gets what passed;
a scheduled CI job installs the latest releases without it, to see breakage first.
"""

import argparse
import datetime
import platform
import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .launch import read_pyproject
from .notebooks import ROOT

CONSTRAINTS = ROOT / "constraints.txt"
# What studying needs, and the tools on top of it (requirements-dev.txt starts with
# `-r requirements.txt`).
REQUIREMENTS = (ROOT / "requirements.txt", ROOT / "requirements-dev.txt")
# The project's own packages are installed from the checkout, never pinned.
OWN = {"d2lnotes", "d2lnotes-tools"}


def ranges():
    """Every requirement the pins must satisfy: both requirements files and d2lnotes's own."""
    lines = [line for path in REQUIREMENTS
             for line in path.read_text(encoding="utf-8").splitlines()]
    found = [Requirement(line.split("#")[0].strip()) for line in lines
             if line.split("#")[0].strip() and not line.lstrip().startswith("-")]
    found += [Requirement(r) for r in read_pyproject()["project"]["dependencies"]]
    return found


def read_pins(path=CONSTRAINTS):
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            if not version:
                raise ValueError(f"{path.name}: {line!r} is not an exact pin (name==version)")
            pins[canonicalize_name(name)] = version
    return pins


def conflicts(pins, requirements):
    """Requirements that a pinned version does not satisfy, or that have no pin."""
    bad = []
    for req in requirements:
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            bad.append(f"{req.name}: not pinned")
        elif not req.specifier.contains(version, prereleases=True):
            bad.append(f"{req.name}=={version} does not satisfy {req}")
    return bad


def environment_pins():
    """name==version for every distribution installed here, but the project's own."""
    pins = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name not in OWN and name not in ("pip",):
            pins[name] = dist.version.split("+")[0]  # 2.14.1+cu130 -> 2.14.1: any build of it
    return dict(sorted(pins.items()))


def write(path=CONSTRAINTS):
    header = [
        "# Known-good versions, recorded from an environment where `make test` passed.",
        f"# Recorded {datetime.date.today()} on Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}.",
        "# Refresh: make install && make test &&",
        "#          .venv/bin/python -m notestools.constraints --write",
        "# Installs use it by default (pip install -c constraints.txt ...);",
        "# `make install CONSTRAINTS=` installs the latest releases within the ranges instead.",
    ]
    pins = environment_pins()
    path.write_text("\n".join(header + [f"{n}=={v}" for n, v in pins.items()]) + "\n",
                    encoding="utf-8")
    return pins


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true")
    group.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    if args.write:
        bad = conflicts(environment_pins(), ranges())
        if bad:
            print("this environment does not satisfy the ranges:\n  " + "\n  ".join(bad),
                  file=sys.stderr)
            return 1
        print(f"wrote {len(write())} pins to {CONSTRAINTS.name}")
        return 0
    bad = conflicts(read_pins(), ranges())
    for line in bad:
        print(line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
