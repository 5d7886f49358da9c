"""Run the monthly pack's SQL stages (queries/spark/) on a Spark cluster
through Spark Connect, the way csqa's Spark runner does, and compare the
pack's tables and the check counts with a local `csqa monthly` run.

    stages.py --data DATA_DIR --month 2026-09 --csqa-out out/monthly/2026-09
              [--timezone Asia/Shanghai] [--url sc://127.0.0.1:15002]
              [--fcr-by-line] [--explain sessions]
    stages.py --check-zone Europe/Berlin [--check-zone ZONE ...]

It registers the inputs of queries/spark/README.md: raw_<table> (the files
listed one by one, grouped by schema, timestamps as `<c>_utc` / `<c>_wall`
epoch microseconds), the parameter views (zone_offsets, zone_walls,
calendar_days, scorecard_versions, scorecard_modules, sla_overrides,
cause_labels) and the ${placeholders}; runs every stage in file-name order;
runs queries/monthly/*.sql unchanged over the stage views; and compares each
table with csqa's <table>.parquet to 1e-9, the overrides, the check
counts with csqa's manifest.json and the rejected rows with its rejects/.
Exit 0 when everything matches. --check-zone checks only the naive-time
reading through zone_walls against zoneinfo.

Defaults are csqa's: FCR window 72 h (scope customer), longest session
24 h, ratings 1-5, satisfied from 4. Needs the Python Connect client
(.ci/spark-cluster install puts it in the cluster's environment).
"""
import argparse
import json
import math
import os
import re
import sys
import time
import tomllib
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STAGES = os.path.join(ROOT, "queries", "spark")
PACK = os.path.join(ROOT, "queries", "monthly")
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# The contract (src/contract.rs): column, kind.
CONTRACT = {
    "sessions": [("session_id", "str"), ("customer_id", "str"), ("business_line", "str"),
                 ("channel", "str"), ("category", "str"), ("agent_id", "str"), ("team", "str"),
                 ("started_at", "ts"), ("ended_at", "ts"), ("first_response_s", "float"),
                 ("rating", "int"), ("resolved", "bool"), ("complaint", "bool"),
                 ("public_opinion", "bool")],
    "reviews": [("review_id", "str"), ("session_id", "str"), ("reviewer_id", "str"),
                ("reviewed_at", "ts"), ("module_id", "str"), ("score", "float"),
                ("calibration_round", "str")],
    "repeat_causes": [("session_id", "str"), ("cause", "str"), ("noted_by", "str"),
                      ("noted_at", "ts")],
    "messages": [("session_id", "str"), ("sent_at", "ts"), ("sender", "str")],
    "appeals": [("review_id", "str"), ("module_id", "str"), ("filed_at", "ts"),
                ("outcome", "str"), ("decided_at", "ts")],
    "agent_hours": [("agent_id", "str"), ("date", "date"), ("logged_in_hours", "float")],
}
SQL_TYPE = {"str": "STRING", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN",
            "date": "DATE"}
# Every Unicode White_Space character: what Rust's regex `\s` matches.
WHITESPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def us(t):
    return (t - EPOCH) // timedelta(microseconds=1)


# ---- the zone, as src/zone.rs tabulates it -------------------------------

def offset_us(tz, s):
    """The zone's UTC offset (µs) at `s` seconds after the epoch."""
    t = datetime.fromtimestamp(s, timezone.utc)
    return int(t.astimezone(tz).utcoffset().total_seconds()) * 1_000_000


def zone_offsets(tz, first_year=1900, last_year=2100):
    """[(from_us, to_us, offset_us)]: the UTC intervals between transitions."""
    lo = int(datetime(first_year, 1, 1, tzinfo=timezone.utc).timestamp())
    hi = int(datetime(last_year, 1, 1, tzinfo=timezone.utc).timestamp())
    step = 6 * 3600
    out, start, current = [], lo, offset_us(tz, lo)
    s = lo
    while s < hi:
        nxt = min(s + step, hi)
        if offset_us(tz, nxt) != current:
            a, b = s, nxt  # the change lies in (a, b]
            while b - a > 1:
                mid = (a + b) // 2
                if offset_us(tz, mid) == current:
                    a = mid
                else:
                    b = mid
            out.append((start * 1_000_000, b * 1_000_000, current))
            start, current = b, offset_us(tz, b)
        s = nxt
    out.append((start * 1_000_000, hi * 1_000_000, current))
    return out


def zone_walls(offsets):
    """Non-overlapping local wall spans with the offset giving the earlier
    instant; overlaps flagged ambiguous, gaps left out."""
    segs = []
    for f, t, off in offsets:
        ws, we = f + off, t + off
        if segs and ws < segs[-1][1]:
            ls, le, loff, lamb = segs.pop()
            if ls < ws:
                segs.append((ls, ws, loff, lamb))
            segs.append((ws, min(le, we), loff, True))
            if le > we:
                segs.append((we, le, loff, lamb))
            ws = max(ws, le)
        if ws < we:
            segs.append((ws, we, off, False))
    return segs


def wall_us(instant, tz):
    """The local wall-clock time of an instant, as µs "as if UTC"."""
    t = (EPOCH + timedelta(microseconds=instant)).astimezone(tz)
    return instant + int(t.utcoffset().total_seconds()) * 1_000_000


def local_midnight_us(d, tz):
    """A local date's midnight as an instant: in a gap, the first valid
    time after it in 30-minute steps (src/standards.rs local_to_utc)."""
    t = datetime(d.year, d.month, d.day)
    for _ in range(4):
        aware = t.replace(tzinfo=tz, fold=0)
        back = aware.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
        if back == t:
            return us(aware.astimezone(timezone.utc))
        t += timedelta(minutes=30)
    return us(t.replace(tzinfo=tz).astimezone(timezone.utc))


def instant_us(value, tz):
    """A TOML datetime: with an offset as given, without it local in tz."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz, fold=0)
        return us(value.astimezone(timezone.utc))
    return local_midnight_us(value, tz)


# ---- inputs ----------------------------------------------------------------

def table_files(data, table):
    files = []
    for dirpath, _, names in os.walk(os.path.join(data, table)):
        files += [os.path.join(dirpath, n) for n in names if n.endswith(".parquet")]
    return sorted(files)


def hive_values(data, table, path):
    rel = os.path.relpath(os.path.dirname(path), os.path.join(data, table))
    return dict(p.split("=", 1) for p in rel.split(os.sep) if "=" in p)


def register_raw(spark, data, table):
    """raw_<table>: the files listed one by one (never a folder, so no
    partition discovery), one read per schema; a `key=value` folder fills a
    contract column only a file lacks."""
    from pyspark.sql import functions as F
    names = [n for n, _ in CONTRACT[table]]
    groups = {}
    for path in table_files(data, table):
        schema = pq.read_schema(path)
        present = {f.name: f.type for f in schema}
        hive = {k: v for k, v in hive_values(data, table, path).items()
                if k in names and k not in present}
        key = (tuple((n, str(t)) for n, t in present.items() if n in names), tuple(sorted(hive.items())))
        groups.setdefault(key, []).append(path)
    frames = []
    prefix = "file:" + os.path.abspath(data) + "/"
    for (present, hive), paths in groups.items():
        types, hive = dict(present), dict(hive)
        df = spark.read.option("recursiveFileLookup", "true").parquet(*paths)
        cols = []
        for name, kind in CONTRACT[table]:
            if kind == "ts":
                t = types.get(name, "")
                aware = t.startswith("timestamp") and "tz=" in t
                naive = t.startswith("timestamp") and not aware
                utc = f"unix_micros(`{name}`)" if aware else "CAST(NULL AS BIGINT)"
                # Naive: wall-clock time; the session zone is UTC.
                wall = (f"unix_micros(CAST(`{name}` AS TIMESTAMP))" if naive
                        else "CAST(NULL AS BIGINT)")
                cols += [F.expr(utc).alias(f"{name}_utc"), F.expr(wall).alias(f"{name}_wall")]
            elif name in types:
                cols.append(F.expr(f"CAST(`{name}` AS {SQL_TYPE[kind]})").alias(name))
            elif name in hive:
                cols.append(F.lit(hive[name]).cast(SQL_TYPE[kind]).alias(name))
            else:
                cols.append(F.expr(f"CAST(NULL AS {SQL_TYPE[kind]})").alias(name))
        cols.append(F.expr(f"substring(_metadata.file_path, {len(prefix) + 1})").alias("source_file"))
        frames.append(df.select(*cols))
    if not frames:
        fields = []
        for name, kind in CONTRACT[table]:
            fields += ([f"`{name}_utc` BIGINT", f"`{name}_wall` BIGINT"] if kind == "ts"
                       else [f"`{name}` {SQL_TYPE[kind]}"])
        fields.append("`source_file` STRING")
        df = spark.createDataFrame([], ", ".join(fields))
    else:
        df = frames[0]
        for f in frames[1:]:
            df = df.unionByName(f)
    df.createOrReplaceTempView(f"raw_{table}")
    return len(groups)


def month_bounds(month):
    y, m = map(int, month.split("-"))
    first = date(y, m, 1)
    prev = date(y - (m == 1), (m - 2) % 12 + 1, 1)
    nxt = date(y + m // 12, m % 12 + 1, 1)
    return prev, first, nxt


def register_parameters(spark, args, tz):
    offsets = zone_offsets(tz)
    spark.createDataFrame(offsets, "from_us BIGINT, to_us BIGINT, offset_us BIGINT") \
        .createOrReplaceTempView("zone_offsets")
    spark.createDataFrame(zone_walls(offsets),
                          "from_wall_us BIGINT, to_wall_us BIGINT, offset_us BIGINT, ambiguous BOOLEAN") \
        .createOrReplaceTempView("zone_walls")
    prev, first, nxt = month_bounds(args.month)
    days, d = [], prev
    while d < nxt:
        days.append(((d - date(1970, 1, 1)).days, d, d.strftime("%Y-%m")))
        d += timedelta(days=1)
    spark.createDataFrame(days, "day BIGINT, local_date DATE, local_month STRING") \
        .createOrReplaceTempView("calendar_days")
    with open(os.path.join(args.data, "standards.toml"), "rb") as f:
        std = tomllib.load(f)
    cards = sorted(std["scorecard"], key=lambda s: s["effective_from"])
    starts = [local_midnight_us(s["effective_from"], tz) for s in cards]
    versions = [(s["version"], starts[i], starts[i + 1] if i + 1 < len(cards) else None)
                for i, s in enumerate(cards)]
    spark.createDataFrame(versions, "scorecard_version STRING, effective_from_us BIGINT, effective_to_us BIGINT") \
        .createOrReplaceTempView("scorecard_versions")
    modules = []
    for s in cards:
        for m in s["modules"]:
            lo, hi = (0, 1) if m["scale"] == "pass_fail" else map(int, m["scale"].split("-"))
            modules.append((s["version"], m["id"], m["group"], m["scope"], float(lo), float(hi),
                            float(m["weight"]), m["name"]))
    spark.createDataFrame(modules, "scorecard_version STRING, module_id STRING, module_group STRING, "
                          "module_scope STRING, scale_min DOUBLE, scale_max DOUBLE, weight DOUBLE, "
                          "module_name STRING").createOrReplaceTempView("scorecard_modules")
    sla = std.get("sla", {"first_response_s": 30.0, "reply_s": 120.0})
    overrides = [(i, o.get("reason", ""), instant_us(o["from"], tz), instant_us(o["to"], tz),
                  o.get("business_line"),
                  None if o.get("first_response_s") is None else float(o["first_response_s"]),
                  None if o.get("reply_s") is None else float(o["reply_s"]))
                 for i, o in enumerate(sla.get("overrides", []))]
    spark.createDataFrame(overrides, "priority INT, reason STRING, from_us BIGINT, to_us BIGINT, "
                          "business_line STRING, first_response_s DOUBLE, reply_s DOUBLE") \
        .createOrReplaceTempView("sla_overrides")
    causes = sorted(std.get("causes", {}).items())
    spark.createDataFrame(causes, "cause STRING, label STRING").createOrReplaceTempView("cause_labels")
    return sla


def sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def sql_double(x):
    return f"CAST({float(x)!r} AS DOUBLE)"


def placeholders(args, tz, sla, has_hours):
    prev, first, nxt = month_bounds(args.month)
    prev_us, start_us, end_us = (local_midnight_us(d, tz) for d in (prev, first, nxt))
    window, longest = args.fcr_hours * HOUR_US, args.max_session_hours * HOUR_US
    return {
        "month": sql_string(args.month), "prev_month": sql_string(prev.strftime("%Y-%m")),
        "prev_start_us": prev_us, "month_start_us": start_us, "month_end_us": end_us,
        "sessions_from_us": prev_us - window - longest, "sessions_to_us": end_us + window + longest,
        "messages_from_us": start_us, "messages_to_us": end_us + longest,
        "reviews_from_us": prev_us,
        # A day beyond each bound, as local wall time: how far csqa's reader
        # narrows a naive column before it converts it.
        "sessions_from_wall_us": wall_us(prev_us - window - longest - DAY_US, tz),
        "sessions_to_wall_us": wall_us(end_us + window + longest + DAY_US, tz),
        "messages_from_wall_us": wall_us(start_us - DAY_US, tz),
        "messages_to_wall_us": wall_us(end_us + longest + DAY_US, tz),
        "reviews_from_wall_us": wall_us(prev_us - DAY_US, tz),
        "hours_from": f"DATE '{prev}'", "hours_to": f"DATE '{nxt}'",
        "first_day": f"DATE '{first}'", "next_first_day": f"DATE '{nxt}'",
        "fcr_window_us": window, "fcr_by_line": "TRUE" if args.fcr_by_line else "FALSE",
        "max_session_us": longest, "fcr_reach_us": end_us + window,
        "scale_max": args.scale_max, "satisfied_min": args.satisfied_min,
        "base_first_response_s": sql_double(sla["first_response_s"]),
        "base_reply_s": sql_double(sla["reply_s"]),
        "has_agent_hours": "TRUE" if has_hours else "FALSE",
        "whitespace": sql_string(WHITESPACE),
    }


def fill(sql, values):
    def one(m):
        if m.group(1) not in values:
            raise KeyError(f"no value for ${{{m.group(1)}}}")
        return str(values[m.group(1)])
    return re.sub(r"\$\{(\w+)\}", one, sql)


# ---- running ---------------------------------------------------------------

CACHED = {"sessions_checked", "sessions", "reviews_checked", "messages_checked",
          "appeals_checked", "repeat_causes_checked", "agent_hours_checked",
          "review_modules", "review_scores", "reply_events", "agent_time"}


def run_stages(spark, values, checkpoint=True):
    views = []
    for name in sorted(os.listdir(STAGES)):
        m = re.fullmatch(r"\d\d_(\w+)\.sql", name)
        if not m:
            continue
        with open(os.path.join(STAGES, name)) as f:
            df = spark.sql(fill(f.read(), values))
        if checkpoint and m.group(1) in CACHED:
            # Computed once and cut from its lineage: later stages and the
            # pack's queries then plan against a short plan, not the whole
            # chain of views (with cache() alone, planning dominated).
            df = df.localCheckpoint()
        df.createOrReplaceTempView(m.group(1))
        views.append(m.group(1))
    return views


def pack_tables(spark):
    out = {}
    for name in sorted(os.listdir(PACK)):
        if name.endswith(".sql"):
            with open(os.path.join(PACK, name)) as f:
                out[name[:-4]] = spark.sql(f.read()).toPandas()
    return out


# ---- comparing -------------------------------------------------------------

def same_value(a, b, tol):
    a_null = a is None or (isinstance(a, float) and math.isnan(a))
    b_null = b is None or (isinstance(b, float) and math.isnan(b))
    if a_null or b_null:
        return a_null and b_null
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(a)), abs(float(b)))
    return a == b


def plain(v):
    if hasattr(v, "item"):
        v = v.item()
    if v is not None and type(v).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(v, (datetime,)) or type(v).__name__ == "Timestamp":
        return us(v.to_pydatetime() if hasattr(v, "to_pydatetime") else v)
    return v


def compare_frames(name, spark_df, local_df, tol=1e-9):
    """Problems found (empty: equal): same columns, rows and values."""
    problems = []
    if list(spark_df.columns) != list(local_df.columns):
        return [f"{name}: columns differ: spark {list(spark_df.columns)} local {list(local_df.columns)}"]
    if len(spark_df) != len(local_df):
        return [f"{name}: {len(spark_df)} rows on Spark, {len(local_df)} locally"]
    rows_s = [[plain(v) for v in r] for r in spark_df.itertuples(index=False)]
    rows_l = [[plain(v) for v in r] for r in local_df.itertuples(index=False)]
    for i, (rs, rl) in enumerate(zip(rows_s, rows_l)):
        for c, a, b in zip(local_df.columns, rs, rl):
            if not same_value(a, b, tol):
                problems.append(f"{name} row {i} {c}: spark {a!r} local {b!r}")
                if len(problems) > 10:
                    return problems
    return problems


def compare_counts(spark, manifest_path):
    """check_counts, reject_reasons and blank_counts against the manifest."""
    with open(manifest_path) as f:
        manifest = json.load(f)
    tables = manifest.get("tables") or manifest.get("inputs") or {}
    counts = {r["table_name"]: r.asDict() for r in spark.table("check_counts").collect()}
    reasons = {}
    for r in spark.table("reject_reasons").collect():
        reasons.setdefault(r["table_name"], {})[r["reason"]] = r["rows"]
    blanks = {}
    for r in spark.table("blank_counts").collect():
        blanks.setdefault(r["table_name"], {})[r["column_name"]] = r["rows"]
    problems, lines = [], []
    entries = tables.items() if isinstance(tables, dict) else ((t.get("table"), t) for t in tables)
    for table, local in entries:
        got = counts.get(table)
        if got is None:
            problems.append(f"check_counts: no row for {table}")
            continue
        used = got["rows_read"] - got["duplicates"] - got["rejected"]
        pairs = [("rows_in", got["rows_read"]), ("used", used), ("duplicates", got["duplicates"]),
                 ("rejected", got["rejected"]), ("superseded", got["superseded"]),
                 ("ambiguous_local_times", got["ambiguous_local_times"])]
        for key, value in pairs:
            if key in local and local[key] != value:
                problems.append(f"check_counts {table}.{key}: spark {value} local {local[key]}")
        if "rejected_by_reason" in local and local["rejected_by_reason"] != reasons.get(table, {}):
            problems.append(f"reject_reasons {table}: spark {reasons.get(table, {})} "
                            f"local {local['rejected_by_reason']}")
        if "blanks_read_as_null" in local and local["blanks_read_as_null"] != blanks.get(table, {}):
            problems.append(f"blank_counts {table}: spark {blanks.get(table, {})} "
                            f"local {local['blanks_read_as_null']}")
        lines.append(f"  {table}: {got['rows_read']} read, {used} used, {got['duplicates']} "
                     f"duplicates, {got['rejected']} rejected {reasons.get(table, {})}")
    return problems, lines


def compare_rejects(spark, csqa_out):
    """Each table's rejected rows: the same (reason, file, first key) on
    both sides, as multisets."""
    problems, lines = [], []
    for table, columns in CONTRACT.items():
        key = columns[0][0]
        path = os.path.join(csqa_out, "rejects", f"{table}.parquet")
        local = []
        if os.path.exists(path):
            t = pq.read_table(path, columns=["reason", "source_file", key]).to_pylist()
            local = sorted((r["reason"], os.path.basename(r["source_file"] or ""), str(r[key])) for r in t)
        got = sorted((r["reason"], os.path.basename(r["source_file"] or ""), str(r[key]))
                     for r in spark.table(f"rejects_{table}").select("reason", "source_file", key).collect())
        if got != local:
            problems.append(f"rejects_{table}: spark {len(got)} rows, local {len(local)}; "
                            f"only spark {sorted(set(got) - set(local))[:3]}, "
                            f"only local {sorted(set(local) - set(got))[:3]}")
        elif got:
            lines.append(f"  rejects_{table}: {len(got)} rows, equal to csqa's rejects/{table}.parquet")
    return problems, lines


def check_zone(spark, zone):
    """The naive-time reading through `zone_walls`, as the stages join it,
    against Python's zoneinfo for every transition of 1970-2100 in `zone`:
    a wall time the clock skipped names no instant, one it repeated reads
    as the earlier instant, flagged ambiguous; times beside them read
    plainly. Returns the problems found."""
    tz = ZoneInfo(zone)
    offsets = zone_offsets(tz)
    spark.createDataFrame(zone_walls(offsets),
                          "from_wall_us BIGINT, to_wall_us BIGINT, offset_us BIGINT, ambiguous BOOLEAN") \
        .createOrReplaceTempView("zone_walls")
    cases = []
    for f, _, off in offsets[1:]:
        if f < 0:
            continue
        before = offset_us(tz, f // 1_000_000 - 1)
        for delta in (-2 * HOUR_US, -1, 0, (off - before) // 2, abs(off - before) // 2, 2 * HOUR_US):
            wall = f + before + delta
            local = datetime(1970, 1, 1) + timedelta(microseconds=wall)
            early, late = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
            back = early.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
            if back != local:
                cases.append((wall, None, False))
            else:
                e, l_ = us(early.astimezone(timezone.utc)), us(late.astimezone(timezone.utc))
                cases.append((wall, min(e, l_), e != l_))
    spark.createDataFrame(cases, "wall BIGINT, expected BIGINT, ambiguous BOOLEAN") \
        .createOrReplaceTempView("zone_cases")
    rows = spark.sql("""
        SELECT `c`.`wall`, `c`.`expected`, `c`.`ambiguous`,
               `c`.`wall` - `z`.`offset_us` AS `got`, COALESCE(`z`.`ambiguous`, FALSE) AS `got_ambiguous`
        FROM `zone_cases` AS `c`
        LEFT JOIN `zone_walls` AS `z` ON `c`.`wall` >= `z`.`from_wall_us` AND `c`.`wall` < `z`.`to_wall_us`
    """).collect()
    bad = [r for r in rows if r["got"] != r["expected"] or r["got_ambiguous"] != r["ambiguous"]]
    print(f"zone {zone}: {len(rows)} wall times at {len(offsets) - 1} transitions, "
          f"{sum(r['expected'] is None for r in rows)} skipped, {sum(r['ambiguous'] for r in rows)} "
          f"repeated, {len(bad)} wrong")
    return [f"zone {zone} wall {r['wall']}: expected {r['expected']} ({r['ambiguous']}), "
            f"got {r['got']} ({r['got_ambiguous']})" for r in bad[:10]]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data")
    p.add_argument("--month")
    p.add_argument("--check-zone", action="append", default=[],
                   help="only check the naive-time reading in this zone (repeatable)")
    p.add_argument("--csqa-out", help="csqa's monthly output folder to compare with")
    p.add_argument("--timezone", default="Asia/Shanghai")
    p.add_argument("--url", default="sc://127.0.0.1:15002")
    p.add_argument("--fcr-hours", type=int, default=72)
    p.add_argument("--fcr-by-line", action="store_true")
    p.add_argument("--max-session-hours", type=int, default=24)
    p.add_argument("--scale-max", type=int, default=5)
    p.add_argument("--satisfied-min", type=int, default=4)
    p.add_argument("--explain", help="print the physical plan of this view (stages not checkpointed)")
    args = p.parse_args()

    from pyspark.sql import SparkSession
    started = time.time()
    spark = SparkSession.builder.remote(args.url).getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    if args.check_zone:
        problems = [x for z in args.check_zone for x in check_zone(spark, z)]
        for line in problems:
            print("DIFF", line)
        sys.exit(1 if problems else 0)
    if not (args.data and args.month):
        p.error("--data and --month are needed")
    args.data = os.path.abspath(args.data)
    tz = ZoneInfo(args.timezone)
    for table in CONTRACT:
        register_raw(spark, args.data, table)
    sla = register_parameters(spark, args, tz)
    has_hours = bool(table_files(args.data, "agent_hours"))
    values = placeholders(args, tz, sla, has_hours)
    print(f"inputs registered: {time.time() - started:.1f}s")
    run_stages(spark, values, checkpoint=not args.explain)
    print(f"stages registered: {time.time() - started:.1f}s")
    if args.explain:
        spark.table(args.explain).explain()
    tables = pack_tables(spark)
    elapsed = time.time() - started
    problems = []
    print(f"stages and pack on Spark: {elapsed:.1f}s")
    for name, df in tables.items():
        print(f"  {name}: {len(df)} rows")
    if args.csqa_out:
        for name, df in tables.items():
            local = pq.read_table(os.path.join(args.csqa_out, f"{name}.parquet")).to_pandas()
            found = compare_frames(name, df, local)
            problems += found
            if not found:
                print(f"  {name}: equal to csqa ({len(df)} rows, to 1e-9)")
        # The overrides table is built from the stage view month_overrides.
        overrides = pq.read_table(os.path.join(args.csqa_out, "sla_overrides.parquet")).to_pandas()
        found = compare_frames("sla_overrides", spark.table("month_overrides").toPandas(), overrides)
        problems += found
        if not found:
            print(f"  sla_overrides: equal to csqa ({len(overrides)} rows, from month_overrides)")
        found, lines = compare_counts(spark, os.path.join(args.csqa_out, "manifest.json"))
        problems += found
        print("\n".join(lines))
        found, lines = compare_rejects(spark, args.csqa_out)
        problems += found
        print("\n".join(lines))
    for line in problems:
        print("DIFF", line)
    spark.stop()
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
