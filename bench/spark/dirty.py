"""Add bad rows and duplicates to a generated data directory, in place: the
held-out data the Spark stages are checked on beside csqa.

    dirty.py DATA_DIR MONTH TIMEZONE

For each table it writes extra Parquet files with the schema of the
table's own files (same timestamp flavour), taken from rows of MONTH:
exact copies (in the month's folder and in a plain file at the table's root,
beside the `key=value` folders), conflicting duplicates, blank and
whitespace-only strings (an ideographic space too), every value rule broken
once, sessions written in the other timestamp flavour (aware beside naive
files, or the reverse), and — where a timestamp column is naive — local
times that the zone's clock skipped (rejected) or repeated (read as the
earlier instant), taken from the zone's transitions around MONTH. A `notes.csv` beside the sessions
is not Parquet and must be ignored. Deterministic: no randomness.
"""
import math
import os
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq


def month_files(data, table, month):
    folder = os.path.join(data, table, f"month={month}")
    if os.path.isdir(folder):
        return folder, sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".parquet"))
    root = os.path.join(data, table)
    return root, sorted(os.path.join(root, f) for f in os.listdir(root) if f.endswith(".parquet"))


def rows_of(path):
    t = pq.read_table(path)
    return t.schema, t.to_pylist()


def write(path, schema, rows):
    plain = pa.schema([pa.field(f.name, pa.string() if pa.types.is_string_view(f.type) else f.type)
                       for f in schema])
    pq.write_table(pa.Table.from_pylist(rows, schema=plain).cast(schema), path)


def naive(schema, column):
    t = schema.field(column).type
    return pa.types.is_timestamp(t) and t.tz is None


def transitions(tz, month):
    """Local wall times the clock skipped and repeated within a year of MONTH."""
    y, m = map(int, month.split("-"))
    t = datetime(y - 1, m, 1, tzinfo=timezone.utc)
    gaps, overlaps = [], []
    prev = t.astimezone(tz).utcoffset()
    while t < datetime(y + 1, m, 1, tzinfo=timezone.utc):
        t += timedelta(hours=1)
        off = t.astimezone(tz).utcoffset()
        if off != prev:
            wall = (t + prev).replace(tzinfo=None)  # the old clock at the change
            if off > prev:
                gaps.append(wall + (off - prev) / 2)
            else:
                overlaps.append(wall - (prev - off) / 2)
            prev = off
    # Nearest to MONTH first: the first lies in the job's read window, the
    # others (a year away) outside it.
    start = datetime(y, m, 1)
    near = lambda t: abs((t - start).total_seconds())
    return sorted(gaps, key=near), sorted(overlaps, key=near)


def edit(row, **changes):
    out = dict(row)
    out.update(changes)
    return out


def at_wall(schema, column, row, wall):
    """`row` with `column` at local wall time `wall` (naive columns only)."""
    return edit(row, **{column: wall}) if naive(schema, column) else None


def sessions(data, month, gaps, tz):
    folder, files = month_files(data, "sessions", month)
    schema, rows = rows_of(files[0])
    r = rows[:60]
    bad = [
        *r[0:5],                                              # exact copies
        edit(r[5], rating=(r[5]["rating"] or 3) % 5 + 1),     # conflicting duplicate
        edit(r[6], channel=r[6]["channel"] + "x"),            # conflicting duplicate
        edit(r[7], session_id="dirty-blank-customer", customer_id=""),
        edit(r[8], session_id="dirty-blank-agent", agent_id="  ", category="\u3000"),
        edit(r[9], session_id=" "),                            # null session_id
        edit(r[10], session_id="dirty-no-line", business_line="\t"),
        edit(r[11], session_id="dirty-line-all", business_line="ALL"),
        edit(r[12], session_id="dirty-rating-0", rating=0),
        edit(r[13], session_id="dirty-rating-9", rating=9),
        edit(r[14], session_id="dirty-ended-before",
             ended_at=r[14]["started_at"] - timedelta(minutes=5)),
        edit(r[15], session_id="dirty-too-long",
             ended_at=r[15]["started_at"] + timedelta(hours=30)),
        edit(r[16], session_id="dirty-frs-nan", first_response_s=math.nan),
        edit(r[17], session_id="dirty-frs-inf", first_response_s=math.inf),
        edit(r[18], session_id="dirty-frs-negative", first_response_s=-5.0),
        edit(r[19], session_id="dirty-no-start", started_at=None),
        edit(r[20], session_id="dirty-no-channel", channel=None),
    ]
    # The same customers back within the FCR window on another line: a
    # repeat visit under scope "customer", not under "customer_business_line".
    lines = sorted({x["business_line"] for x in rows if x["business_line"]})
    for i, x in enumerate([x for x in rows[30:] if x["customer_id"]][:8]):
        other = lines[(lines.index(x["business_line"]) + 1) % len(lines)]
        back = (x["ended_at"] or x["started_at"]) + timedelta(hours=2 + 5 * i)
        bad.append(edit(x, session_id=f"dirty-cross-line-{i}", business_line=other,
                        started_at=back, ended_at=back + timedelta(minutes=9)))
    for i, g in enumerate(gaps[:2]):
        row = at_wall(schema, "started_at", edit(r[21 + i], session_id=f"dirty-gap-{i}", ended_at=None), g)
        if row:
            bad.append(row)
    write(os.path.join(folder, "part-dirty.parquet"), schema, bad)
    # Sessions exported with the other timestamp flavour in the same table:
    # each file is read as it is written.
    other = pa.schema([pa.field(f.name, pa.timestamp("us", tz=None if f.type.tz else "UTC"))
                       if pa.types.is_timestamp(f.type) else f for f in schema])
    flipped = []
    for i, x in enumerate(rows[40:46]):
        y = edit(x, session_id=f"dirty-other-flavour-{i}")
        for c in ("started_at", "ended_at"):
            t = y[c]
            if t is None:
                continue
            if schema.field(c).type.tz:     # instant -> local wall time
                y[c] = t.astimezone(tz).replace(tzinfo=None)
            else:                           # wall time -> instant
                y[c] = t.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)
        flipped.append(y)
    write(os.path.join(folder, "part-other-flavour.parquet"), other, flipped)
    # A plain file at the table's root beside the key=value folders, and a
    # file that is not Parquet.
    write(os.path.join(data, "sessions", "late-export.parquet"), schema, r[23:26] + r[23:25])
    with open(os.path.join(data, "sessions", "notes.csv"), "w") as f:
        f.write("not,a,table\n")


def reviews(data, month, gaps, overlaps):
    folder, files = month_files(data, "reviews", month)
    schema, rows = rows_of(files[0])
    r = rows[:40]
    bad = [
        *r[0:4],                                               # exact copies
        edit(r[4], score=(r[4]["score"] or 0) + 1 if r[4]["score"] is not None else 1.0),
        edit(r[5], module_id="dirty-unknown-module"),
        edit(r[6], review_id="dirty-r-half", score=0.5),
        edit(r[7], review_id="dirty-r-high", score=7.0),
        edit(r[8], review_id="dirty-r-nan", score=math.nan),
        edit(r[9], review_id="dirty-r-early", reviewed_at=r[9]["reviewed_at"] - timedelta(days=3650)),
        edit(r[10], review_id=""),
        edit(r[11], reviewer_id=" "),
        edit(r[12], review_id="dirty-r-blank-round", calibration_round=" "),
    ]
    for i, g in enumerate(gaps[:1]):
        row = at_wall(schema, "reviewed_at", edit(r[13], review_id=f"dirty-r-gap-{i}"), g)
        if row:
            bad.append(row)
    for i, o in enumerate(overlaps[:2]):
        row = at_wall(schema, "reviewed_at", edit(r[14 + i], review_id=f"dirty-r-overlap-{i}"), o)
        if row:
            bad.append(row)
    write(os.path.join(folder, "part-dirty.parquet"), schema, bad)


def messages(data, month, gaps):
    folder, files = month_files(data, "messages", month)
    schema, rows = rows_of(files[0])
    r = rows[:30]
    bad = [*r[0:6],                                            # exact copies
           edit(r[6], sender="robot"), edit(r[7], sender=""), edit(r[8], session_id=None),
           edit(r[9], sent_at=None)]
    for g in gaps[:1]:
        row = at_wall(schema, "sent_at", r[10], g)
        if row:
            bad.append(row)
    write(os.path.join(folder, "part-dirty.parquet"), schema, bad)


def repeat_causes(data, month, overlaps):
    folder, files = month_files(data, "repeat_causes", month)
    schema, rows = rows_of(files[0])
    r = rows[:20]
    bad = [*r[0:3], edit(r[3], cause=None), edit(r[4], cause=" "), edit(r[5], session_id=""),
           edit(r[6], noted_by="")]
    for i, o in enumerate(overlaps[:2]):
        row = at_wall(schema, "noted_at", r[7 + i], o)
        if row:
            bad.append(row)
    write(os.path.join(folder, "part-dirty.parquet"), schema, bad)


def appeals(data, month):
    folder, files = month_files(data, "appeals", month)
    schema, rows = rows_of(files[0])
    r = [x for x in rows if x["outcome"] in ("upheld", "overturned")][:10]
    p = [x for x in rows if x["outcome"] == "pending"][:3]
    bad = [
        r[0],                                                   # exact copy
        edit(r[1], outcome="pending", decided_at=None),         # superseded by the decision
        edit(r[2], outcome="overturned" if r[2]["outcome"] == "upheld" else "upheld"),  # conflict
        edit(r[3], decided_at=r[3]["decided_at"] - timedelta(days=1)),  # an earlier decision
        edit(r[4], outcome="withdrawn"),                         # unknown outcome
        edit(r[5], review_id=" "),
    ]
    if p:
        bad.append(edit(p[0], outcome=p[0]["outcome"]))          # exact copy of a pending one
    write(os.path.join(folder, "part-dirty.parquet"), schema, bad)


def agent_hours(data, month):
    folder, files = month_files(data, "agent_hours", month)
    schema, rows = rows_of(files[0])
    y, m = map(int, month.split("-"))
    r = [x for x in rows if x["date"].year == y and x["date"].month == m][:10]
    bad = [r[0], r[0],                                          # exact copies
           edit(r[1], logged_in_hours=r[1]["logged_in_hours"] + 1.5),   # conflicting
           edit(r[2], agent_id="dirty-agent-25h", logged_in_hours=25.0),
           edit(r[3], agent_id="dirty-agent-nan", logged_in_hours=math.nan),
           edit(r[4], agent_id="dirty-agent-negative", logged_in_hours=-1.0),
           edit(r[5], agent_id=" ")]
    write(os.path.join(folder, "part-dirty.parquet"), schema, bad)


def main():
    data, month, zone = sys.argv[1:4]
    gaps, overlaps = transitions(ZoneInfo(zone), month)
    sessions(data, month, gaps, ZoneInfo(zone))
    reviews(data, month, gaps, overlaps)
    messages(data, month, gaps)
    repeat_causes(data, month, overlaps)
    appeals(data, month)
    agent_hours(data, month)
    print(f"dirty rows added to {data} ({month}); gaps {gaps[:2]}, overlaps {overlaps[:2]}")


if __name__ == "__main__":
    main()
