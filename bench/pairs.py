"""Paired whole-process timing: command A and command B run in turn (A B A B …) after one
warm-up run each, and the ratio A/B is taken pair by pair, so that it holds when the machine's
speed drifts during the measurement. Each run's wall time (monotonic clock around start and
reap), CPU time (user + system) and peak RSS come from wait4(2) on that one child.

    python3 pairs.py RUNS OUT.json -- A ARG… [--vs B ARG…]

Without --vs only A runs. A run that exits non-zero stops everything (its output is shown).
Writes {"a": {"argv", "wall", "cpu", "rss_kib", "first_output"}, "b": {…}, "ratio_wall": […]}.
"""

import json
import os
import subprocess
import sys
import tempfile
import time


def run(argv):
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    if child.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {child.returncode}:\n{output[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output


def main():
    runs, out_path, rest = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    assert rest and rest[0] == "--", __doc__
    rest = rest[1:]
    if "--vs" in rest:
        cut = rest.index("--vs")
        commands = [rest[:cut], rest[cut + 1 :]]
    else:
        commands = [rest]
    series = [{"argv": argv, "wall": [], "cpu": [], "rss_kib": []} for argv in commands]
    for s in series:
        s["first_output"] = run(s["argv"])[3][-2000:]
    for _ in range(runs):
        for s in series:
            wall, cpu, rss, _ = run(s["argv"])
            s["wall"].append(wall)
            s["cpu"].append(cpu)
            s["rss_kib"].append(rss)
    result = {"runs": runs, "a": series[0]}
    if len(series) == 2:
        result["b"] = series[1]
        result["ratio_wall"] = [a / b for a, b in zip(series[0]["wall"], series[1]["wall"])]
        result["ratio_cpu"] = [a / b if b else None for a, b in zip(series[0]["cpu"], series[1]["cpu"])]
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
