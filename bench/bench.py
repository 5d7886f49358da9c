"""Driver of bench/run: csqa against DuckDB on the same Parquet files.

Each tool runs as a child process; wall time is measured around it and peak
memory is the child's maximum resident set size (getrusage). The data uses
timezone UTC so that DuckDB needs no time-zone extension.
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
# The figures both tools compute, compared to 1e-9.
FIGURES = ["sessions", "rated", "csat", "avg_rating", "fcr", "fcr_coverage",
           "complaint_rate", "first_response_sla_base"]


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


def generate(n, months):
    data = os.path.join(WORK, f"data-{months}x{n}")
    marker = os.path.join(data, ".complete")
    if not os.path.exists(marker):
        wall, mib = measured([CSQA, "--quiet", "generate", "--out", data, "--from", "2026-01",
                              "--months", str(months), "--sessions-per-month", str(n),
                              "--seed", "1", "--timezone", "UTC"])
        print(f"generate {months} × {n:,}: {wall:.1f}s, peak {mib:.0f} MiB")
        open(marker, "w").close()
    return data


def run_csqa(data, month):
    out = os.path.join(WORK, "out")
    config = os.path.join(WORK, "csqa.toml")
    with open(config, "w") as f:
        f.write(f'data_dir = "{data}"\nout_dir = "{out}"\ntimezone = "UTC"\n')
    wall, mib = measured([CSQA, "--quiet", "--config", config, "monthly", "--month", month])
    rows = list(csv.DictReader(open(os.path.join(out, "monthly", month, "business_lines.csv"))))
    return wall, mib, {r["business_line"]: r for r in rows}


def run_duckdb(data, month):
    result = os.path.join(WORK, "duckdb_business_lines.csv")
    wall, mib = measured([sys.executable, os.path.join(HERE, "duckdb_monthly.py"), data, month, result])
    rows = list(csv.DictReader(open(result)))
    return wall, mib, {r["business_line"]: r for r in rows}


def compare(a, b):
    problems = []
    for line in sorted(set(a) | set(b)):
        if line not in a or line not in b:
            problems.append(f"{line}: only in {'csqa' if line in a else 'duckdb'}")
            continue
        for f in FIGURES:
            x, y = a[line].get(f, ""), b[line].get(f, "")
            if x == y == "":
                continue
            if x == "" or y == "" or abs(float(x) - float(y)) > 1e-9:
                problems.append(f"{line}.{f}: csqa {x} duckdb {y}")
    return problems


def warm_page_cache(data):
    """Read every data file once, so both tools are measured with the files
    in the page cache and neither pays for the disk on the other's behalf."""
    for root, _, files in os.walk(data):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                while f.read(1 << 24):
                    pass


def one(n, months):
    data = generate(n, months)
    month = f"2026-{1 + months // 2:02d}"  # a month with a previous month and a look-ahead
    warm_page_cache(data)
    d = run_duckdb(data, month)
    try:
        c = run_csqa(data, month)
    except Failed as e:
        print(f"\n{months} months × {n:,} sessions, month {month}")
        print(f"duckdb   {d[0]:>8.2f}s {d[1]:>9.0f} MiB")
        print(f"csqa FAILED: {e}")
        sys.exit(1)
    problems = compare(c[2], d[2])
    print(f"\n{months} months × {n:,} sessions, month {month}")
    print(f"{'tool':<8} {'wall s':>8} {'peak MiB':>9}")
    print(f"{'csqa':<8} {c[0]:>8.2f} {c[1]:>9.0f}")
    print(f"{'duckdb':<8} {d[0]:>8.2f} {d[1]:>9.0f}")
    print(f"ratio csqa/duckdb: wall {c[0] / d[0]:.2f}, memory {c[1] / d[1]:.2f}")
    if problems:
        print("figures DIFFER:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"figures agree: {len(c[2])} rows × {len(FIGURES)} figures")
    return c[0], c[1]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--measure-only":
        seconds, mib, status = measure(json.loads(sys.argv[2]))
        print(f"{seconds} {mib} {status}")
        return
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sessions-per-month", type=int, default=1_000_000)
    p.add_argument("--months", type=int, default=3)
    p.add_argument("--scaling", action="store_true",
                   help="run 1 M and 10 M sessions a month and report growth")
    a = p.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    if a.scaling:
        small = one(1_000_000, a.months)
        large = one(10_000_000, a.months)
        print(f"\ncsqa from 1 M to 10 M a month: time ×{large[0] / small[0]:.1f}, "
              f"peak memory ×{large[1] / small[1]:.1f}")
    else:
        one(a.sessions_per_month, a.months)


if __name__ == "__main__":
    main()
