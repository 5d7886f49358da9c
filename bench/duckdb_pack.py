"""The monthly pack's core work in DuckDB, over the same files as csqa.

    duckdb_pack.py DATA_DIR MONTH TIMEZONE OUT_DIR

Every table is read and checked against the contract (exact copies folded,
rows breaking a rule rejected: bench/duckdb/0*.sql), sessions get the FCR
flags with the look-ahead, the local calendar in TIMEZONE, the SLA in force
and 0/1 indicators; reviews their scorecard and scores; the month's messages
become reply events; agent hours become agent time. Then csqa's own portable
pack SQL (queries/monthly/*.sql) runs over those tables: business lines,
repeat causes, agents, categories, appeals. Timestamps may be tz-aware
(instants) or naive (local time in TIMEZONE), as csqa reads them. The SQL is
written once; this script only fills in the month's bounds, the time zone,
the column expressions for each file's timestamp type, and the standard
(standards.toml: scorecards, SLA and overrides, causes).

Defaults are csqa's: FCR window 72 h, longest session 24 h, ratings 1-5,
satisfied from 4. A naive time in a daylight-saving gap or overlap is read
as DuckDB's ICU reads it, not rejected or counted as csqa does; the
benchmark's zone, Asia/Shanghai, has neither.
"""
import os
import string
import sys
import tomllib
from datetime import date, datetime, timedelta, timezone

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HOUR_US = 3_600_000_000
FCR_WINDOW_US = 72 * HOUR_US
MAX_SESSION_US = 24 * HOUR_US
# The columns each table's SQL reads, and which are timestamps.
TABLES = {
    "sessions": (["session_id", "customer_id", "business_line", "channel", "category",
                  "agent_id", "team"], ["started_at", "ended_at"]),
    "reviews": (["review_id", "session_id", "reviewer_id", "module_id", "calibration_round"],
                ["reviewed_at"]),
    "messages": (["session_id", "sender"], ["sent_at"]),
    "repeat_causes": (["session_id", "cause", "noted_by"], ["noted_at"]),
    "appeals": (["review_id", "module_id", "outcome"], ["filed_at", "decided_at"]),
    "agent_hours": (["agent_id"], []),
}
PACK = ["business_lines", "repeat_causes", "agents", "categories", "appeals"]


def instant_literal(us):
    t = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)
    return f"TIMESTAMPTZ '{t.strftime('%Y-%m-%d %H:%M:%S.%f')}+00'"


def naive_literal(us):
    t = datetime(1970, 1, 1) + timedelta(microseconds=us)
    return f"TIMESTAMP '{t.strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def month_days(month):
    y, m = map(int, month.split("-"))
    first = date(y, m, 1)
    prev = date(y - (m == 1), (m - 2) % 12 + 1, 1)
    nxt = date(y + m // 12, m % 12 + 1, 1)
    return prev, first, nxt


def timestamp_columns(con, data, tz, windows):
    """Per timestamp column: the instant expression, and a looser filter on
    the file's own column that the Parquet reader can push down."""
    subs = {}
    for table, (strings, stamps) in TABLES.items():
        schema = dict(con.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
            f"read_parquet('{data}/{table}/**/*.parquet', hive_partitioning = false))").fetchall())
        for c in strings:
            subs[f"blank_{c}"] = (f"CASE WHEN trim({c}) = '' THEN NULL ELSE {c} END"
                                  if c in schema else "CAST(NULL AS VARCHAR)")
        for c in stamps:
            if c not in schema:
                subs[f"instant_{c}"] = "CAST(NULL AS TIMESTAMPTZ)"
                subs[f"prefilter_{c}"] = "TRUE"
                continue
            aware = "WITH TIME ZONE" in schema[c]
            subs[f"instant_{c}"] = c if aware else f"timezone('{tz}', {c})"
            lo, hi = windows.get(c, (None, None))
            if aware or (lo is None and hi is None):
                subs[f"prefilter_{c}"] = "TRUE"
                continue
            # Naive: local bounds widened by two days (offsets are under one).
            parts = []
            if lo is not None:
                parts.append(f"{c} >= {naive_literal(lo - 48 * HOUR_US)}")
            if hi is not None:
                parts.append(f"{c} < {naive_literal(hi + 48 * HOUR_US)}")
            subs[f"prefilter_{c}"] = f"({c} IS NULL OR ({' AND '.join(parts)}))"
    return subs


def standard(con, data, tz):
    """The scorecards, SLA and causes of standards.toml as SQL pieces."""
    with open(os.path.join(data, "standards.toml"), "rb") as f:
        std = tomllib.load(f)
    local_midnight = lambda d: con.execute(
        "SELECT epoch_us(timezone(?, CAST(? AS TIMESTAMP)))", [tz, f"{d} 00:00:00"]).fetchone()[0]
    cards = sorted(std["scorecard"], key=lambda s: s["effective_from"])
    version = "CASE " + " ".join(
        f"WHEN reviewed_tz >= {instant_literal(local_midnight(s['effective_from']))} "
        f"THEN '{s['version']}'" for s in reversed(cards)) + " END"
    con.execute("CREATE TEMP TABLE scorecard_modules (scorecard_version VARCHAR, module_id VARCHAR, "
                "module_group VARCHAR, module_scope VARCHAR, scale_min DOUBLE, scale_max DOUBLE, "
                "weight DOUBLE, module_name VARCHAR)")
    for s in cards:
        for m in s["modules"]:
            lo, hi = (0, 1) if m["scale"] == "pass_fail" else map(int, m["scale"].split("-"))
            con.execute("INSERT INTO scorecard_modules VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [s["version"], m["id"], m["group"], m["scope"], lo, hi, m["weight"], m["name"]])
    sla = std["sla"]
    thresholds = {}
    for key, name in [("first_response_s", "first_response_threshold"), ("reply_s", "reply_threshold")]:
        expr = f"CAST({sla[key]} AS DOUBLE)"
        # Later overrides win where they overlap: they are tested first.
        for o in reversed(sla.get("overrides", [])):
            if key not in o:
                continue
            us = lambda t: int(t.timestamp() * 1_000_000)
            applies = (f"started_tz >= {instant_literal(us(o['from']))} "
                       f"AND started_tz < {instant_literal(us(o['to']))}")
            if "business_line" in o:
                applies += f" AND business_line = '{o['business_line']}'"
            expr = f"CASE WHEN {applies} THEN CAST({o[key]} AS DOUBLE) ELSE {expr} END"
        thresholds[name] = expr
    con.execute("CREATE TEMP TABLE cause_labels (cause VARCHAR, label VARCHAR)")
    for cause, label in std.get("causes", {}).items():
        con.execute("INSERT INTO cause_labels VALUES (?, ?)", [cause, label])
    return {"scorecard_version": version, "base_first_response_s": sla["first_response_s"],
            "base_reply_s": sla["reply_s"], **thresholds}


def main():
    data, month, tz, out = sys.argv[1:5]
    data = os.path.abspath(data)
    os.makedirs(out, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET TimeZone = 'UTC'")
    prev, first, nxt = month_days(month)
    midnight = lambda d: con.execute(
        "SELECT epoch_us(timezone(?, CAST(? AS TIMESTAMP)))", [tz, f"{d} 00:00:00"]).fetchone()[0]
    prev_us, start_us, end_us = midnight(prev), midnight(first), midnight(nxt)
    reach = FCR_WINDOW_US + MAX_SESSION_US
    sessions_window = (prev_us - reach, end_us + reach)
    messages_window = (start_us, end_us + MAX_SESSION_US)
    subs = {
        "data": data, "tz": tz, "month": month, "prev_month": prev.strftime("%Y-%m"),
        "prev_first_day": prev.isoformat(), "first_day": first.isoformat(),
        "next_first_day": nxt.isoformat(),
        "sessions_from": instant_literal(sessions_window[0]),
        "sessions_to": instant_literal(sessions_window[1]),
        "messages_from": instant_literal(messages_window[0]),
        "messages_to": instant_literal(messages_window[1]),
        "reviews_from": instant_literal(prev_us),
        "fcr_window_us": FCR_WINDOW_US, "max_session_us": MAX_SESSION_US,
        "fcr_reach_us": end_us + FCR_WINDOW_US, "scale_max": 5, "satisfied_min": 4,
    }
    windows = {"started_at": sessions_window, "sent_at": messages_window,
               "reviewed_at": (prev_us, None), "filed_at": (prev_us, None)}
    subs.update(timestamp_columns(con, data, tz, windows))
    subs.update(standard(con, data, tz))
    con.execute("CREATE TEMP TABLE checks (table_name VARCHAR, rows_in BIGINT, "
                "duplicates BIGINT, rejected BIGINT)")
    sql_dir = os.path.join(HERE, "duckdb")
    for name in sorted(os.listdir(sql_dir)):
        if name.endswith(".sql"):
            with open(os.path.join(sql_dir, name)) as f:
                con.execute(string.Template(f.read()).substitute(subs))
    for row in con.execute("SELECT * FROM checks ORDER BY table_name").fetchall():
        print("checked {}: {} rows in, {} duplicates, {} rejected".format(*row), file=sys.stderr)
    # csqa's own pack SQL: portable, with backtick-quoted identifiers.
    for name in PACK:
        with open(os.path.join(ROOT, "queries", "monthly", f"{name}.sql")) as f:
            sql = f.read().replace("`", '"').strip().rstrip(";")
        con.execute(f"COPY ({sql}) TO '{os.path.join(out, name + '.csv')}' (HEADER, DELIMITER ',')")


if __name__ == "__main__":
    main()
