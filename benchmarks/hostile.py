"""Time and memory of `istio-notebook check` on hostile inputs (issue 13): figures, not a test.

Each probe runs the real command in a subprocess; the script prints its exit code, wall time and
peak RSS (from wait4), the ratio of peak RSS to the input size, the command's CPU seconds and
the load average before it (wall-clock figures on a loaded machine are inflated; CPU time is not). Targets (issue 13): a few
seconds, under 1 GB, exit 0/1/2, never 3. Inputs are generated into a temporary directory.

    .venv/bin/python benchmarks/hostile.py [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  ports: [{{port: {port}}}]\n"


def _vs(i: int) -> str:
    return (f"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: vs-{i}, namespace: default}}\n"
            "spec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: reviews}}]}]\n")


def _at_size_limit() -> str:
    """As many small Services as fit under the file size limit."""
    from istio_notebook.config.source import MAX_FILE_BYTES

    one = len(SERVICE.format(name="s1000000", port=80)) + len("---\n")
    return "---\n".join(SERVICE.format(name=f"s{i}", port=80) for i in range(MAX_FILE_BYTES // one))


def probes() -> dict[str, str | bytes]:
    """name → file content (text or bytes)."""
    return {
        "integer-5000-digits": SERVICE.format(name="a", port="9" * 5000),
        "sexagesimal-int-1.2MB": "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {x: 1" + ":59" * 400_000 + "}\n",
        "sexagesimal-float-4000-parts": "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {x: 1" + ":59" * 4000 + ".5}\n",
        "nan-percentage": _vs(0).replace("http: [{route", "http: [{fault: {abort: {httpStatus: 500, percentage: {value: .nan}}}, route"),
        "duration-10000000h": _vs(0).replace("http: [{route", "http: [{timeout: 10000000h, route"),
        "utf16-bom": ("\ufeff" + SERVICE.format(name="a", port=80)).encode("utf-16-le"),
        "flow-list-31MB": "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {x: [" + ",".join(["1"] * 15_500_000) + "]}\n",
        "10000-vs-one-host": "---\n".join(_vs(i) for i in range(10_000)),
        # Many small documents: memory grows with the documents, not with the bytes (issue 13's 1 GB bound).
        "85000-services-10MB": "---\n".join(SERVICE.format(name=f"s{i}", port=80) for i in range(85_000)),
        # As many as a run reads (config/loader.py RESOURCE_LIMIT): the 1 GB bound's worst case, analysed.
        "200000-services-16MB": "---\n".join(SERVICE.format(name=f"s{i}", port=80) for i in range(200_000)),
        # The same up to the file size limit (config/source.py MAX_FILE_BYTES): refused at the 200,001st (exit 2).
        "services-at-the-size-limit": _at_size_limit(),
    }


# The child reports its own peak: wait4's ru_maxrss also counts the pages a forked child held
# before exec (this process's, with every probe's text in it: it read 166 MB for a 40 MB run).
# /proc/self/status VmHWM is the peak of the exec'd process alone (Linux; else ru_maxrss).
_REPORT_PEAK = """
import atexit, sys
out = sys.argv.pop(1)
def peak():
    try:
        with open("/proc/self/status") as status:
            kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return
    with open(out, "w") as f:
        f.write(kb)
atexit.register(peak)
sys.argv[0] = "istio-notebook"
from istio_notebook.cli import console
console()
"""


def run(path: Path) -> tuple[int, float, float, float]:
    """Exit code, wall seconds, peak RSS (MB), CPU seconds of `check` on ``path``."""
    report = path.with_suffix(".peak")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", _REPORT_PEAK, str(report), "check", str(path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    peak_mb = int(report.read_text()) / 1024 if report.is_file() else usage.ru_maxrss / 1024
    report.unlink(missing_ok=True)
    return os.waitstatus_to_exitcode(status), time.monotonic() - started, peak_mb, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="istio-notebook-hostile-") as tmp:
        print(f"{'probe':32} {'exit':>4} {'seconds':>8} {'cpu s':>6} {'peak MB':>8} {'input MB':>9} {'RSS/input':>9} {'load':>5}")
        for name, content in probes().items():
            if args.only and name not in args.only:
                continue
            path = Path(tmp) / f"{name}.yaml"
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
            size = path.stat().st_size / 2**20
            load = os.getloadavg()[0]
            code, seconds, peak, cpu = run(path)
            ratio = f"{peak / size:9.1f}" if size >= 1 else f"{'-':>9}"  # below 1 MB the interpreter dominates
            print(f"{name:32} {code:>4} {seconds:>8.2f} {cpu:>6.2f} {peak:>8.0f} {size:>9.2f} {ratio} {load:>5.1f}")
            path.unlink()


if __name__ == "__main__":
    main()
