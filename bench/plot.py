"""The cost of growth as a picture: wall time and peak memory against
sessions a month, csqa and DuckDB, from bench/work/results.jsonl (written by
bench/bench.py). Plain SVG, no plotting library.

    plot.py RESULTS.jsonl OUT.svg [LAYOUT]

The latest run of each (size, layout) counts. Both axes are logarithmic, so
a straight line of slope one is linear growth.
"""
import json
import math
import sys

W, H, PAD = 360, 260, 48
COLOURS = {"csqa": "#1f6feb", "duckdb": "#d4a72c"}


def latest(path, layout):
    rows = {}
    for line in open(path):
        r = json.loads(line)
        if r["layout"] == layout:
            rows[r["sessions_per_month"]] = r
    return [rows[n] for n in sorted(rows)]


def panel(rows, metric, title, unit, x0):
    xs = [r["sessions_per_month"] for r in rows]
    ys = [r[t][metric] for r in rows for t in COLOURS if r.get(t)]
    if not xs or not ys:
        return ""
    lx = (math.log10(min(xs)), math.log10(max(xs)) + 1e-9)
    ly = (math.log10(min(ys)) - 0.1, math.log10(max(ys)) + 0.1)

    def px(x):
        return x0 + PAD + (math.log10(x) - lx[0]) / (lx[1] - lx[0]) * (W - 2 * PAD)

    def py(y):
        return H - PAD - (math.log10(y) - ly[0]) / (ly[1] - ly[0]) * (H - 2 * PAD)

    out = [f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<line x1="{x0 + PAD}" y1="{H - PAD}" x2="{x0 + W - PAD}" y2="{H - PAD}" stroke="#888"/>',
           f'<line x1="{x0 + PAD}" y1="{PAD}" x2="{x0 + PAD}" y2="{H - PAD}" stroke="#888"/>']
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{H - PAD + 16}" text-anchor="middle">'
                   f'{x / 1e6:g} M</text>')
    for exp in range(math.floor(ly[0]), math.ceil(ly[1]) + 1):
        for m in (1, 3):
            y = m * 10 ** exp
            if ly[0] <= math.log10(y) <= ly[1]:
                out.append(f'<text x="{x0 + PAD - 4}" y="{py(y) + 4:.1f}" text-anchor="end">'
                           f'{y:g}</text>')
                out.append(f'<line x1="{x0 + PAD}" y1="{py(y):.1f}" x2="{x0 + W - PAD}" '
                           f'y2="{py(y):.1f}" stroke="#eee"/>')
    out.append(f'<text x="{x0 + 12}" y="{H / 2}" transform="rotate(-90 {x0 + 12} {H / 2})" '
               f'text-anchor="middle">{unit}</text>')
    for tool, colour in COLOURS.items():
        pts = [(px(r["sessions_per_month"]), py(r[tool][metric])) for r in rows if r.get(tool)]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
    return "\n".join(out)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    layout = sys.argv[3] if len(sys.argv) > 3 else "aware"
    rows = latest(src, layout)
    legend = "".join(
        f'<rect x="{PAD + i * 90}" y="{H + 4}" width="12" height="12" fill="{c}"/>'
        f'<text x="{PAD + i * 90 + 16}" y="{H + 14}">{t}</text>'
        for i, (t, c) in enumerate(COLOURS.items()))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 24}" '
           f'font-family="sans-serif" font-size="11">'
           f'<rect width="100%" height="100%" fill="white"/>'
           + panel(rows, "wall_s", "wall time", "seconds", 0)
           + panel(rows, "peak_mib", "peak memory", "MiB", W)
           + legend + "</svg>\n")
    open(dst, "w").write(svg)


if __name__ == "__main__":
    main()
