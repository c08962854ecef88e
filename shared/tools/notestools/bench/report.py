"""The benchmark's tables (build/bench.md) and its few-line summary."""

from ..notebooks import FORK_KERNEL

LABELS = {"fast": "fast: d2lnotes, in-memory loader + train_ch3",
          "d2l": "d2l 0.17.6: its DataLoader ({workers} workers) + train_ch3",
          "floor": "floor: bare loop over ready batches"}
# What the fast path is held to (issue #14): the bare loop's time and its own later epochs.
TARGET_FAST_FLOOR = 1.15
TARGET_FIRST_LATER = 1.2


def _fmt(x, spec=".2f"):
    return "–" if x is None else format(x, spec)


def _label(name, summary):
    return LABELS.get(name, name).format(workers=summary.get("workers", "?"))


def machine_line(report):
    m = report["machine"]
    load = m.get("load_average") or []
    end = m.get("load_average_end") or []
    return (f"Machine: {m['cores']} cores, {m['cpu_model']}, torch {m['torch']}, "
            f"Python {m['python']}" + (f", GPU {', '.join(m['gpus'])}" if m.get("gpus") else "")
            + (f"; load average {load[0]} at the start" if load else "")
            + (f", {end[0]} at the end" if end else "") + f"; {report['date']}")


def examples_words(cfg):
    """" on the first N training examples" where the runs trained on fewer than all."""
    return f" on the first {cfg['examples']} training examples" if cfg.get("examples") else ""


def ratio_words(ratios):
    """(name, value, what it means) of the training ratios the targets are about."""
    words = []
    if "fast/floor" in ratios:
        words.append(("fast/floor", f"{ratios['fast/floor']:.2f}×",
                      f"target ≤ {TARGET_FAST_FLOOR}"))
    if "fast/d2l" in ratios:
        words.append(("fast/d2l", f"{ratios['fast/d2l']:.3f}",
                      f"d2l 0.17.6 takes {ratios['d2l/fast']:.1f}× as long"))
    return words


def training_tables(entry, cfg):
    t = entry["training"]
    v = t["variants"]
    lines = [f"### Section 3.7 on {entry['label']}", "",
             f"{cfg['epochs']} epoch(s){examples_words(cfg)}, batch {cfg['batch_size']}, "
             f"lr {cfg['lr']}, seed {cfg['seed']}; {cfg['reps']} run(s) of each, alternating, "
             "each in a fresh process; seconds of the training call (process: the whole "
             "script)", "",
             "| variant | median s | runs (s) | 1st epoch | later epochs | process s | "
             "torch threads | test acc |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, s in v.items():
        lines.append(f"| {_label(name, s)} | {_fmt(s['median_seconds'])} | "
                     f"{', '.join(f'{x:.2f}' for x in s['seconds']) or 'failed'} | "
                     f"{_fmt(s['median_first_epoch'])} | {_fmt(s['median_later_epochs'])} | "
                     f"{_fmt(s['median_process_seconds'], '.1f')} | {s['threads']} | "
                     f"{_fmt(s['test_acc'], '.4f')} |")
    lines += [f"| **{name}** | **{value}** | {meaning} | | | | | |"
              for name, value, meaning in ratio_words(t["ratios"])]
    lines += [f"| {name}: skipped | | {why} | | | | | |" for name, why in t["skipped"].items()]
    lines += [f"| {name}: failed | | {err.splitlines()[0]} | | | | | |"
              for name, s in v.items() for err in s["errors"]]
    notes = sorted({n for s in v.values() for n in s["notes"]})
    return lines + [""] + [f"Note: {n}" for n in notes] + ([""] if notes else []) \
        + epoch_table(v)


def _epoch_cell(summary, i):
    phases = [summary["median_phases"][p][i] for p in ("train", "evaluate", "rest")]
    return (f"{_fmt(summary['median_epoch_seconds'][i])} "
            f"({' + '.join(_fmt(p) for p in phases)})")


def epoch_table(variants):
    """Median seconds of each epoch, and of its phases: train + evaluate + rest."""
    shown = {n: s for n, s in variants.items() if s["median_epoch_seconds"]}
    if not shown:
        return []
    lines = ["Each epoch, median seconds (train + evaluate + rest: the plot and the log "
             "line)", "", "| epoch |" + "".join(f" {n} |" for n in shown),
             "| ---: |" + " ---: |" * len(shown)]
    epochs = max(len(s["median_epoch_seconds"]) for s in shown.values())
    for i in range(epochs):
        lines.append(f"| {i + 1} |" + "".join(
            f" {_epoch_cell(s, i) if i < len(s['median_epoch_seconds']) else '–'} |"
            for s in shown.values()))
    return lines + [""]


def first_epoch_table(entry, cfg):
    f = entry["first_epoch"]
    lines = [f"### First epoch in a forked kernel ({entry['device']})", "",
             "A kernel forked from a zygote runs the fast path cold (data, model, train_ch3) "
             f"in one cell{examples_words(cfg)}; zygotes preloading {', '.join(f['preload'])} "
             + (f"and one also preloading {', '.join(f['extra_preload'])} (what the first "
                "epoch imported), alternating" if f["extra_preload"]
                else "(the first epoch imported nothing more)"), "",
             "| zygote preloads | runs | 1st epoch (train + evaluate + rest) | later epochs | "
             f"1st / later, median of the runs' (target ≤ {TARGET_FIRST_LATER}) |",
             "| --- | ---: | --- | ---: | ---: |"]
    for label, s in f["variants"].items():
        first = _epoch_cell(s, 0) if s["median_epoch_seconds"] else "failed"
        lines.append(f"| {label} | {len(s['seconds'])} | {first} | "
                     f"{_fmt(s['median_later_epochs'])} | **{_fmt(s['median_first_later'])}** |")
    errors = [e for s in f["variants"].values() for e in s["errors"]]
    return lines + [""] + [f"Failed: {e.splitlines()[0]}" for e in errors] \
        + epoch_table(f["variants"])


def suite_table(entry):
    suites = entry["suites"]
    names = sorted({n["notebook"] for s in suites for n in s["notebooks"]})
    lines = [f"### The suite on {entry['device']}: every notebook headless, "
             f"{suites[0]['jobs']} at once", "",
             f"{FORK_KERNEL}: kernels forked from a zygote that imported torch once (`make "
             "run`); python3: each kernel started from scratch", "",
             "| notebook |" + "".join(f" {s['kernel']} s | peak RSS MB |" for s in suites),
             "| --- |" + " ---: | ---: |" * len(suites)]
    for name in names:
        row = f"| {name} |"
        for s in suites:
            n = next((n for n in s["notebooks"] if n["notebook"] == name), {})
            mark = "" if n.get("status") in ("ok", None) else f" ({n['status']})"
            row += f" {_fmt(n.get('seconds'), '.1f')}{mark} | {_fmt(n.get('peak_rss_mb'), '.0f')} |"
        lines.append(row)
    lines.append("| **total (wall)** |" + "".join(
        f" **{s['total_seconds']:.1f}** | |" for s in suites))
    ratio = suite_ratio(entry)
    if ratio:
        lines.append(f"| **python3 / {FORK_KERNEL}** | **{ratio:.2f}×** |"
                     + " |" * (2 * len(suites) - 1))
    return lines + [""]


def suite_ratio(entry):
    by_kernel = {s["kernel"]: s["total_seconds"] for s in entry.get("suites", [])}
    if by_kernel.get(FORK_KERNEL) and by_kernel.get("python3"):
        return by_kernel["python3"] / by_kernel[FORK_KERNEL]
    return None


def markdown(report):
    lines = ["# Benchmark", "", machine_line(report), ""]
    for entry in report["devices"]:
        if "training" in entry:
            lines += training_tables(entry, report["config"])
        if "first_epoch" in entry:
            lines += first_epoch_table(entry, report["config"]) + [""]
        if entry.get("suites"):
            lines += suite_table(entry)
    return "\n".join(lines)


def summary(report):
    """A few lines: the ratios the targets are about."""
    lines = []
    for entry in report["devices"]:
        d = entry["device"]
        if "training" in entry:
            v, r = entry["training"]["variants"], entry["training"]["ratios"]
            said = [f"{name} {_fmt(s['median_seconds'])} s" for name, s in v.items()]
            lines.append(f"[{d}] 3.7, {report['config']['epochs']} epoch(s)"
                         f"{examples_words(report['config'])}, median: "
                         + ", ".join(said))
            lines += [f"[{d}] {name} {value} ({meaning})"
                      for name, value, meaning in ratio_words(r)]
        for label, s in entry.get("first_epoch", {}).get("variants", {}).items():
            lines.append(f"[{d}] forked kernel, {label}: 1st epoch "
                         f"{_fmt(s['median_first_epoch'])} s, later "
                         f"{_fmt(s['median_later_epochs'])} s: "
                         f"{_fmt(s['median_first_later'])}× (target ≤ {TARGET_FIRST_LATER})")
        ratio = suite_ratio(entry)
        for s in entry.get("suites", []):
            lines.append(f"[{d}] suite, {s['kernel']} kernels: {s['total_seconds']:.1f} s"
                         + (f" ({len(s['failed'])} failed)" if s["failed"] else ""))
        if ratio:
            lines.append(f"[{d}] suite python3/{FORK_KERNEL}: {ratio:.2f}×")
    return "\n".join(lines)
