"""Driver of bench/run: csqa against DuckDB on the same Parquet files.

Each tool runs as a child process; wall time is measured around it and peak
memory is the child's maximum resident set size (getrusage). The data is
generated in Asia/Shanghai, where the users are, once with every timestamp
tz-aware and once with every one naive local time; both tools cut months in
that zone. DuckDB does the pack's core work (bench/duckdb_pack.py): every
table checked, FCR with the look-ahead, reply SLA from the messages, QA
scores, then csqa's own portable SQL for business lines, causes, agents,
categories and appeals; every business-line figure is compared.
"""
import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
# The binary bench/run built: in $CARGO_TARGET_DIR when cargo was told to
# build elsewhere; CSQA_BIN overrides.
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
CSQA = os.environ.get("CSQA_BIN", os.path.join(TARGET, "release", "csqa"))
TIMEZONE = "Asia/Shanghai"
LAYOUTS = ["aware", "naive"]


def measure(cmd):
    """Run `cmd`; return (seconds, peak MiB of the child, exit status).
    Called in a fresh interpreter (see `measured`), so the peak is this
    command's alone."""
    t0 = time.perf_counter()
    status = subprocess.run(cmd).returncode
    seconds = time.perf_counter() - t0
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0, status


class Failed(Exception):
    pass


def measured(cmd):
    """Measure `cmd` from a fresh interpreter (ru_maxrss of children is the
    largest child so far, so each measurement needs its own parent)."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure-only", json.dumps(cmd)],
        check=True, capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    seconds, mib, status = out.stdout.strip().splitlines()[-1].split()
    if int(status) != 0:
        # -9 is SIGKILL: on Linux, usually the kernel's out-of-memory killer.
        why = " (killed: out of memory?)" if int(status) == -9 else ""
        raise Failed(f"{cmd[0]} exited with status {status}{why} after {float(seconds):.1f}s, "
                     f"peak {float(mib):.0f} MiB")
    return float(seconds), float(mib)


def generate(n, months, layout):
    data = os.path.join(WORK, f"data-{months}x{n}-{layout}")
    marker = os.path.join(data, ".complete")
    if not os.path.exists(marker):
        wall, mib = measured([CSQA, "--quiet", "generate", "--out", data, "--from", "2026-01",
                              "--months", str(months), "--sessions-per-month", str(n),
                              "--seed", "1", "--timezone", TIMEZONE, "--timestamps", layout])
        print(f"generate {months} × {n:,} ({layout}): {wall:.1f}s, peak {mib:.0f} MiB")
        open(marker, "w").close()
    return data


def by_line(path):
    return {r["business_line"]: r for r in csv.DictReader(open(path))}


def run_csqa(data, month):
    out = os.path.join(WORK, "out")
    config = os.path.join(WORK, "csqa.toml")
    with open(config, "w") as f:
        f.write(f'data_dir = "{data}"\nout_dir = "{out}"\ntimezone = "{TIMEZONE}"\n')
    wall, mib = measured([CSQA, "--quiet", "--config", config, "monthly", "--month", month])
    return wall, mib, by_line(os.path.join(out, "monthly", month, "business_lines.csv"))


def run_duckdb(data, month):
    out = os.path.join(WORK, "duckdb-out")
    wall, mib = measured([sys.executable, os.path.join(HERE, "duckdb_pack.py"), data, month,
                          TIMEZONE, out])
    return wall, mib, by_line(os.path.join(out, "business_lines.csv"))


def same(x, y):
    if x == y:
        return True
    try:
        return abs(float(x) - float(y)) <= 1e-9 * max(1.0, abs(float(x)))
    except ValueError:
        return x.lower() == y.lower()  # true/false as each tool writes it


def compare(a, b):
    """Every business-line figure csqa writes, row by row; returns
    (figures compared, problems)."""
    problems, n = [], 0
    for line in sorted(set(a) | set(b)):
        if line not in a or line not in b:
            problems.append(f"{line}: only in {'csqa' if line in a else 'duckdb'}")
            continue
        for f in a[line]:
            if f == "business_line":
                continue
            n += 1
            x, y = a[line][f], b[line].get(f)
            if y is None or not same(x, y):
                problems.append(f"{line}.{f}: csqa {x} duckdb {y}")
    return n, problems


def warm_page_cache(data):
    """Read every data file once, so both tools are measured with the files
    in the page cache and neither pays for the disk on the other's behalf."""
    for root, _, files in os.walk(data):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                while f.read(1 << 24):
                    pass


def step_profile(month):
    """csqa's own step timings of the last run, from its manifest."""
    manifest = os.path.join(WORK, "out", "monthly", month, "manifest.json")
    try:
        m = json.load(open(manifest))
    except (OSError, ValueError):
        return ""
    steps = ", ".join(f"{k} {v / 1000:.1f}s" for k, v in m.get("timings_ms", {}).items())
    return f"csqa steps: {steps}; FCR passes: {m.get('sessions_passes', 1)}"


def one(n, months, layout, duckdb_up_to):
    """Both tools on one data set (csqa alone above `duckdb_up_to` sessions
    a month); returns {tool: (wall s, peak MiB) or None}."""
    data = generate(n, months, layout)
    month = f"2026-{1 + months // 2:02d}"  # a month with a previous month and a look-ahead
    warm_page_cache(data)
    title = f"\n{months} months × {n:,} sessions, {TIMEZONE}, {layout} timestamps, month {month}"
    print(title, flush=True)
    result = {}
    runs = {}
    tools = (("duckdb", run_duckdb), ("csqa", run_csqa))
    if n > duckdb_up_to:
        print(f"duckdb not run above {duckdb_up_to:,} sessions a month (--duckdb-up-to)")
        tools = tools[1:]
    for tool, run in tools:
        try:
            runs[tool] = run(data, month)
            result[tool] = runs[tool][:2]
        except Failed as e:
            print(f"{tool} FAILED: {e}")
            result[tool] = None
    print(f"{'tool':<8} {'wall s':>8} {'peak MiB':>9}")
    for tool in ("csqa", "duckdb"):
        if result.get(tool):
            print(f"{tool:<8} {result[tool][0]:>8.2f} {result[tool][1]:>9.0f}")
    if "csqa" in runs:
        print(step_profile(month))
    if result.get("csqa") and result.get("duckdb"):
        c, d = result["csqa"], result["duckdb"]
        print(f"ratio csqa/duckdb: wall {c[0] / d[0]:.2f}, memory {c[1] / d[1]:.2f}")
        figures, problems = compare(runs["csqa"][2], runs["duckdb"][2])
        if problems:
            print("figures DIFFER:\n  " + "\n  ".join(problems))
            sys.exit(1)
        print(f"figures agree: {figures} business-line figures ({len(runs['csqa'][2])} rows)")
    record(n, months, layout, result)
    return result


def record(n, months, layout, result):
    """Append the run to bench/work/results.jsonl, for the table and plot."""
    row = {"sessions_per_month": n, "months": months, "layout": layout,
           "timezone": TIMEZONE, "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    for tool, r in result.items():
        row[tool] = {"wall_s": r[0], "peak_mib": r[1]} if r else None
    with open(os.path.join(WORK, "results.jsonl"), "a") as f:
        f.write(json.dumps(row) + "\n")


def verdicts(results, sizes, layouts):
    """The targets: csqa at or under DuckDB in wall time and peak memory at
    1 M and 10 M a month, memory growing under 3 × from 1 M to 10 M, and
    every size completing."""
    lines = []
    for layout in layouts:
        for n in sizes:
            r = results.get((n, layout), {})
            c, d = r.get("csqa"), r.get("duckdb")
            if not c:
                lines.append(f"FAIL {layout} {n:,}: csqa did not complete")
                continue
            if n in (1_000_000, 10_000_000) and d:
                for what, i in (("wall time", 0), ("peak memory", 1)):
                    ok = c[i] <= d[i]
                    lines.append(f"{'ok  ' if ok else 'FAIL'} {layout} {n:,}: {what} "
                                 f"csqa {c[i]:.1f} vs duckdb {d[i]:.1f}")
        small = results.get((1_000_000, layout), {}).get("csqa")
        large = results.get((10_000_000, layout), {}).get("csqa")
        if small and large:
            growth = large[1] / small[1]
            lines.append(f"{'ok  ' if growth < 3 else 'FAIL'} {layout}: peak memory "
                         f"1 M → 10 M ×{growth:.1f} (target < 3)")
        peaks = [results[(n, layout)]["csqa"][1] for n in sizes
                 if results.get((n, layout), {}).get("csqa")]
        if len(peaks) > 1:
            spread = max(peaks) / min(peaks)
            lines.append(f"{'ok  ' if spread < 3 else 'FAIL'} {layout}: peak memory across "
                         f"the sizes within ×{spread:.1f} (target < 3)")
    return lines


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--measure-only":
        seconds, mib, status = measure(json.loads(sys.argv[2]))
        print(f"{seconds} {mib} {status}")
        return
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sessions-per-month", type=int, default=1_000_000)
    p.add_argument("--months", type=int, default=3)
    p.add_argument("--scaling", action="store_true",
                   help="run 1 M, 3 M, 10 M and 30 M sessions a month and report growth")
    p.add_argument("--sizes", help="comma-separated sessions a month (overrides the above)")
    p.add_argument("--duckdb-up-to", type=int, default=10_000_000,
                   help="run DuckDB only up to this many sessions a month (default 10 M: "
                        "at 10 M it already takes 20 GB of this machine's 24)")
    p.add_argument("--layouts", default=",".join(LAYOUTS),
                   help="aware, naive or both (default both)")
    a = p.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    if a.sizes:
        sizes = [int(x) for x in a.sizes.split(",")]
    elif a.scaling:
        sizes = [1_000_000, 3_000_000, 10_000_000, 30_000_000]
    else:
        sizes = [a.sessions_per_month]
    layouts = [x for x in a.layouts.split(",") if x]
    results = {}
    for n in sizes:
        for layout in layouts:
            results[(n, layout)] = one(n, a.months, layout, a.duckdb_up_to)
    if len(sizes) > 1:
        print("\ncsqa by size (wall s / peak MiB):")
        for layout in layouts:
            cells = []
            for n in sizes:
                c = results[(n, layout)].get("csqa")
                cells.append(f"{n:,}: {c[0]:.1f} / {c[1]:.0f}" if c else f"{n:,}: failed")
            print(f"  {layout}: " + "; ".join(cells))
    print("\ntargets:")
    for line in verdicts(results, sizes, layouts):
        print("  " + line)


if __name__ == "__main__":
    main()
