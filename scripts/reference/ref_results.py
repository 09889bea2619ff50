"""The reference rows: the row (medians over the repetitions), CSV, Google Benchmark JSON
and the summary, in the layout heaplab's own results use (bench/report/results.h,
results_csv.c, results_json.c)."""

import json
import math
import os
import resource
import socket
import sys
import time


# bench/report/results_csv.c's hl_results_write_csv_header: identity columns, the figures
# (HL_RESULT_FIGURES in bench/report/results.h), the spreads, status, error, host.
# heap_factor and heap_limit_bytes: a time-space run's budget (results_csv.c); CPython's
# rows never have one, so both are empty.
IDENTITY_COLUMNS = ("runtime", "workload", "size", "allocator", "collector", "heap_factor",
                    "heap_limit_bytes", "repetitions")
FIGURES = (
    "real_time_ns", "cpu_time_ns", "gc_time_ns", "mutator_time_ns", "peak_rss_bytes",
    "baseline_rss_bytes", "peak_live_bytes", "allocator_resident_bytes", "minor_faults",
    "major_faults", "allocs", "frees", "gc_collections",
    "gc_pause_total_ns", "gc_pause_max_ns", "gc_pause_p50_ns", "gc_pause_p99_ns",
    "objects_collected", "leaked_objects", "leaked_bytes",
)
# 95% confidence intervals over a batch's invocations (HL_RESULT_INTERVALS): the batch
# computes them from the invocations; one invocation's row leaves them empty.
INTERVAL_FIGURES = ("real_time_ns", "cpu_time_ns", "gc_time_ns", "mutator_time_ns",
                    "peak_rss_bytes", "peak_live_bytes", "allocator_resident_bytes")
INTERVALS = tuple("%s_ci_%s" % (name, end) for name in INTERVAL_FIGURES for end in ("low", "high"))
SPREADS = ("real_time_ns_stddev", "peak_rss_bytes_stddev")
# host: empty, as `heaplab run` leaves it; a batch fills in its host on every row.
CSV_COLUMNS = IDENTITY_COLUMNS + FIGURES + INTERVALS + SPREADS + ("status", "error", "host")
# Figures CPython offers no honest cheap source for: not measured, which heaplab's
# results spell as an empty CSV field (NaN) and a counter left out of the JSON.
NOT_MEASURED = ("allocator_resident_bytes", "allocs", "frees")

RUNTIME = "cpython-%d.%d" % sys.version_info[:2]
ALLOCATOR = "pymalloc"
COLLECTOR = "cpython_gc"


def nearest_rank(sorted_values, fraction):
    if not sorted_values:
        return 0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def median(values):
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def stddev(values):
    """Sample standard deviation, as Google Benchmark's stddev aggregate."""
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))



def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB



# ---------------------------------------------------------------------------------------
# Results: the row (medians over the repetitions), CSV and Google Benchmark JSON.

def make_row(options, runs, status, error):
    """The configuration's row: each figure the median over the repetitions, None when
    not measured. An error row carries only what is known: status, error, peak RSS."""
    row = {
        "runtime": RUNTIME, "workload": options["workload"], "size": options["size"],
        "allocator": ALLOCATOR, "collector": COLLECTOR,
        "repetitions": options["repetitions"],
    }
    ok = status == "ok" and runs
    for name in FIGURES:
        values = [r.get(name) for r in runs]
        row[name] = median(values) if ok and None not in values else None
    row["real_time_ns_stddev"] = stddev([r["real_time_ns"] for r in runs]) if ok else None
    row["peak_rss_bytes_stddev"] = stddev([r["peak_rss_bytes"] for r in runs]) if ok else None
    if not ok:
        row["peak_rss_bytes"] = peak_rss_bytes()
    row["status"] = status
    row["error"] = error
    return row


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def csv_number(value):
    """results_csv.c's csv_number: "%.15g"; not measured (None, NaN) is an empty field."""
    if value is None or not math.isfinite(value):
        return ""
    return "%.15g" % value


def csv_field(text):
    """results_csv.c's csv_field: RFC 4180 quoting when a comma, quote, line break or a
    leading/trailing blank is in the text."""
    text = str(text)
    if (text[:1] == " " or text[-1:] == " " or any(c in text for c in ',"\n\r')):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(row):
    cells = []
    for column in CSV_COLUMNS:
        value = row.get(column) if column in INTERVALS else row.get(column, "")
        if column in ("size", "repetitions"):
            cells.append("%d" % value)
        elif column in FIGURES or column in SPREADS or column in INTERVALS:
            cells.append(csv_number(value))
        else:
            cells.append(csv_field(value))
    return ",".join(CSV_COLUMNS) + "\n" + ",".join(cells) + "\n"


def config_name(row):
    """hl_results_config_name: "workload/size/allocator/collector"."""
    return "%s/%d/%s/%s" % (row["workload"], row["size"], row["allocator"], row["collector"])


def benchmark_name(row):
    """The Google Benchmark name `heaplab run --iterations 1 --repetitions K` gives the
    same configuration: one iteration per repetition, timed in real time."""
    return "%s/iterations:1/repeats:%d/real_time" % (config_name(row), row["repetitions"])


def json_value(value):
    """As results.c writes JSON values: strings escaped, whole-number members as
    integers, figures and times as "%.16e" doubles, null when not finite."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "%d" % value
    if isinstance(value, float):
        return "%.16e" % value if math.isfinite(value) else "null"
    return json.dumps(value, ensure_ascii=False)


def json_entry(row, name_suffix, run_type, extra, iterations, real, cpu, counters, error):
    """One benchmark entry on one line, members in results.c's order (Google
    Benchmark's, then the figures, then identity and status). Figures not measured
    are left out, as results.c leaves out NaN; real_time_ns and cpu_time_ns are the
    entry's real_time and cpu_time, as in results.c."""
    members = [("name", benchmark_name(row) + name_suffix), ("family_index", 0),
               ("per_family_instance_index", 0), ("run_name", benchmark_name(row)),
               ("run_type", run_type), ("repetitions", row["repetitions"])]
    members += extra
    if error:
        members += [("error_occurred", True), ("error_message", error)]
    members += [("iterations", iterations), ("real_time", float(real)),
                ("cpu_time", float(cpu)), ("time_unit", "ns")]
    members += [(name, float(counters[name])) for name in FIGURES
                if counters.get(name) is not None  # real_time/cpu_time carry these two:
                and name not in ("real_time_ns", "cpu_time_ns")]
    members += [(key, row[key]) for key in ("runtime", "workload", "size", "allocator",
                                            "collector", "status")]
    return "{" + ", ".join("%s: %s" % (json.dumps(k), json_value(v)) for k, v in members) + "}"


def json_entries(row, runs):
    """One entry per repetition, then (more than one) Google Benchmark's aggregates;
    a run that ended in an error is one entry with error_occurred."""
    if row["status"] != "ok":
        return [json_entry(row, "", "iteration", [("repetition_index", 0), ("threads", 1)],
                           1, 0, 0, row, row["error"] or row["status"])]
    entries = []
    for index, figures in enumerate(runs):
        entries.append(json_entry(row, "", "iteration",
                                  [("repetition_index", index), ("threads", 1)], 1,
                                  figures["real_time_ns"], figures["cpu_time_ns"], figures, ""))
    if len(runs) > 1:
        def mean(values):
            return sum(values) / len(values)

        def cv(values):
            m = mean(values)
            return stddev(values) / m if m else float("nan")

        for aggregate, fn in (("mean", mean), ("median", median), ("stddev", stddev),
                              ("cv", cv)):
            counters = {}
            for name in FIGURES:
                values = [r.get(name) for r in runs]
                counters[name] = None if None in values else fn(values)
            unit = "percentage" if aggregate == "cv" else "time"
            entries.append(json_entry(
                row, "_" + aggregate, "aggregate",
                [("threads", 1), ("aggregate_name", aggregate), ("aggregate_unit", unit)],
                len(runs), fn([r["real_time_ns"] for r in runs]),
                fn([r["cpu_time_ns"] for r in runs]), counters, ""))
    return entries


def read_small_file(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def mhz_per_cpu():
    """As results.c: cpufreq's maximum when the kernel has it, else /proc/cpuinfo."""
    khz = read_small_file("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
    if khz.isdigit():
        return int(round(int(khz) / 1000.0))
    for line in read_small_file("/proc/cpuinfo").splitlines():
        if line.startswith("cpu MHz"):
            try:
                return int(round(float(line.split(":")[1])))
            except (ValueError, IndexError):
                break
    return 0


def cpu_scaling_enabled():
    governor = read_small_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
    return bool(governor) and governor != "performance"


def json_text(row, runs):
    """Google Benchmark's JSON with the members bench/report/results_json.c writes: the
    context one member per line, then every benchmark entry on one line (for people
    reading it: heaplab's batch parses the file with jansson, whatever its layout)."""
    zone = time.strftime("%z")
    context = [
        ("date", time.strftime("%Y-%m-%dT%H:%M:%S") + (zone[:3] + ":" + zone[3:]
                                                       if len(zone) == 5 else "")),
        ("host_name", socket.gethostname()),
        ("executable", sys.executable),
        ("num_cpus", os.cpu_count() or 1),
        ("mhz_per_cpu", mhz_per_cpu()),
        ("cpu_scaling_enabled", cpu_scaling_enabled()),
        ("load_avg", "[%s]" % ",".join("%g" % v for v in os.getloadavg())),
        ("library_build_type", "debug" if hasattr(sys, "gettotalrefcount") else "release"),
        ("runtime", RUNTIME),
        ("python_version", " ".join(sys.version.split())),
        ("python_implementation", sys.implementation.name),
    ]
    members = ",\n".join("    %s: %s" % (json.dumps(k), v if k == "load_avg" else json_value(v))
                         for k, v in context)
    entries = ",\n".join("    " + entry for entry in json_entries(row, runs))
    return '{\n  "context": {\n%s\n  },\n  "benchmarks": [\n%s\n  ]\n}\n' % (members, entries)


def write_atomic(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(temporary, "w") as out:
        out.write(text)
    os.replace(temporary, path)


def summary_text(row):
    lines = ["%s  (%s, %s on %s, %d repetition%s)" % (
        config_name(row), row["runtime"], row["collector"], row["allocator"],
        row["repetitions"], "" if row["repetitions"] == 1 else "s")]
    lines.append("  %-26s %s" % ("status", row["status"]))
    if row["error"]:
        lines.append("  %-26s %s" % ("error", row["error"]))
    for name in FIGURES + SPREADS:
        value = csv_number(row[name])
        lines.append("  %-26s %s" % (name, value if value else "(not measured)"))
    return "\n".join(lines) + "\n"
