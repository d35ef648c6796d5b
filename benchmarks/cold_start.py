"""Cold start of every Lambda function, beside ``import boto3`` alone: prints figures, asserts nothing.

Each sample is a whole fresh process (``python -c "import <function>.handler"``), the way a Lambda
sandbox's first invocation pays for it: interpreter start, every import, everything built at module
level. The process runs with the environment CDK gives that function (its ``FAKA_*`` settings and the
secret ids of the secrets it may read, dummy values) and as if inside Lambda, so Powertools' Tracer is
on as with active tracing. ``import boto3`` runs in the same loop, sample for sample, so a busy machine
slows both alike. CPU and wall time are counted up to the end of the imports (the child prints its CPU clock and
the monotonic clock then): Lambda keeps the process for the next event, so the interpreter's teardown at exit is no
part of a cold start; the CPU it took is printed apart ("at exit": the child's whole rusage less its CPU clock at
the end of the imports). Peak resident memory is the child's own rusage. On a machine shared with other work, read
the cpu ratio: wall time also counts waiting for a core, and its ratio for the same code moved between 1.3x and
2.3x from one run to the next.

Last, the dataclasses each function builds while it imports, faka's and the libraries', with the CPU Python spends
building them (``dataclasses`` compiles each class's generated methods): a share of every function's own figure.

First, the same measure of what every function of a kind imports before its own code (the floors): a function
cannot start faster than its floor, so each function's ratio is printed as its floor's plus its own.

Usage: ``python benchmarks/cold_start.py [--runs 7] [--only api,notifier]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "layers"))

from faka import resources  # noqa: E402
from faka.config import SECRET_ID_SETTINGS, Env, env_name  # noqa: E402
from faka.resources import FunctionSpec  # noqa: E402

TARGET_RATIO = 1.5
TARGET_PEAK_MB = 60
BOTO3 = "boto3"


@dataclass(frozen=True)
class Floor:
    """What every function of a kind imports before any code of its own (boto3 included, as every function imports
    it), measured in the environment of ``function``, one of that kind."""

    name: str
    function: str
    code: str


API_FLOOR = Floor(
    "floor: api",
    resources.API_FUNCTION.name,
    "import boto3; from aws_lambda_powertools.event_handler import APIGatewayRestResolver; "
    "APIGatewayRestResolver(enable_validation=True)",
)
CONSUMER_FLOOR = Floor("floor: consumer", "mail_events", "import boto3, faka.consumers, faka.wiring")
TASK_FLOOR = Floor("floor: task", "ticket_sla", "import boto3, faka.observability, faka.wiring")
FLOORS = (API_FLOOR, CONSUMER_FLOOR, TASK_FLOOR)


def floor_of(spec: FunctionSpec) -> Floor:
    """Behind API Gateway, fed by a queue or a stream, or started by a schedule or a workflow."""
    if spec in resources.API_FUNCTIONS:
        return API_FLOOR
    consumers = {queue.consumer for queue in resources.QUEUES} | {stream.consumer for stream in resources.STREAMS}
    if spec in consumers:
        return CONSUMER_FLOOR
    return TASK_FLOOR


@dataclass(frozen=True)
class Sample:
    wall_ms: float
    cpu_ms: float
    peak_mb: float
    # CPU after the imports: the interpreter's teardown at exit, which a Lambda cold start does not pay.
    exit_cpu_ms: float


def lambda_environment(spec: FunctionSpec) -> dict[str, str]:
    """What the function's process sees on AWS (infra/constructs/functions.py sets the same names), with dummies."""
    secret_ids = {
        env_name(setting): f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{secret}"
        for setting, secret in SECRET_ID_SETTINGS.items()
        if secret in spec.access.secrets
    }
    return {
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
        # Lambda's own: Powertools' Tracer records only inside Lambda (LAMBDA_TASK_ROOT set).
        "LAMBDA_TASK_ROOT": str(ROOT / "functions"),
        "AWS_LAMBDA_FUNCTION_NAME": spec.physical_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "cold-start",
        "AWS_SECRET_ACCESS_KEY": "cold-start",
        "AWS_SESSION_TOKEN": "cold-start",
        # Like /var/task (the functions asset) and /opt/python (the layer with faka in it).
        "PYTHONPATH": os.pathsep.join((str(ROOT / "functions"), str(ROOT / "layers"))),
        "POWERTOOLS_SERVICE_NAME": "faka",
        "POWERTOOLS_METRICS_NAMESPACE": "faka",
        "LOG_LEVEL": "INFO",
        "POWERTOOLS_TRACE_DISABLED": "true",
        resources.STAGE_VARIABLE: resources.STAGE,
        Env.OPERATOR_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:faka-operators",
        Env.PAYMENT_PROVIDER: "stripe",
        Env.SENDER_EMAIL: "shop@example.com",
        Env.DEFAULT_SHOP: "main",
        Env.ESCALATION_SECONDS: "86400,172800,259200",
        Env.QUIET_HOURS: "22-08",
        Env.PUBLIC_BASE_URL: "https://api.example.com/v1",
        **secret_ids,
    }


# What the child prints once its imports are done: the CPU time it has used since it started and the system-wide
# monotonic clock, which the parent reads too.
_REPORT = "\nimport time as _t; print(_t.process_time(), _t.monotonic())"


def run_once(module: str, env: dict[str, str], code: str = "") -> Sample:
    """One fresh process importing ``module`` (or running ``code``, one of FLOORS), measured up to the end of it."""
    started = time.monotonic()
    # The interpreter running this benchmark, importing a module named by faka.resources or running one of FLOORS.
    process = subprocess.Popen(
        [sys.executable, "-c", (code or f"import {module}") + _REPORT],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    # A few bytes on stdout, and on stderr at most a traceback: neither pipe fills while the other is read.
    out, err = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import {module} failed:\n{err.decode()}")
    cpu, finished = (float(figure) for figure in out.split()[-2:])
    # Linux reports ru_maxrss in kilobytes.
    whole_cpu = usage.ru_utime + usage.ru_stime
    return Sample((finished - started) * 1000, cpu * 1000, usage.ru_maxrss / 1024, (whole_cpu - cpu) * 1000)


def median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.wall_ms for s in samples),
        statistics.median(s.cpu_ms for s in samples),
        statistics.median(s.peak_mb for s in samples),
        statistics.median(s.exit_cpu_ms for s in samples),
    )


def measure(spec: FunctionSpec, runs: int, code: str = "") -> tuple[list[Sample], list[Sample]]:
    """``runs`` paired samples: (the function's handler, or ``code``; boto3 alone), bytecode cached."""
    env = lambda_environment(spec)
    run_once(spec.module, env, code)
    run_once(BOTO3, env)
    handler: list[Sample] = []
    boto3: list[Sample] = []
    for _ in range(runs):
        handler.append(run_once(spec.module, env, code))
        boto3.append(run_once(BOTO3, env))
    return handler, boto3


# Wide enough for the longest function name (payment_notifications) and the floors' names.
NAME_WIDTH = 22


def cpu_ratio(handler_samples: list[Sample], boto3_samples: list[Sample]) -> float:
    """Each sample's ratio to the boto3 sample run beside it, then their median: a slow moment of a shared machine
    slows both of a pair, where the ratio of two medians mixes moments (it moved by up to 0.5x between runs)."""
    return statistics.median(h.cpu_ms / b.cpu_ms for h, b in zip(handler_samples, boto3_samples, strict=True))


def row(name: str, handler_samples: list[Sample], boto3_samples: list[Sample], floor: tuple[str, float] | None) -> str:
    """One line of figures; with ``floor`` (its name and ratio), the share of the ratio that is the function's own."""
    handler, boto3 = median(handler_samples), median(boto3_samples)
    ratio = cpu_ratio(handler_samples, boto3_samples)
    # Judged on the CPU ratio: the wall ratio also counts waiting for a core on a shared machine.
    within = ratio <= TARGET_RATIO and handler.peak_mb <= TARGET_PEAK_MB
    split = f"  = {floor[0]} {floor[1]:.2f}x + own {ratio - floor[1]:.2f}x" if floor else ""
    return (
        f"{name:<{NAME_WIDTH}} {handler.wall_ms:8.0f} {boto3.wall_ms:9.0f} {handler.wall_ms / boto3.wall_ms:5.2f}x "
        f"{handler.cpu_ms:7.0f} {ratio:8.2f}x {handler.exit_cpu_ms:8.0f} {handler.peak_mb:8.1f} {boto3.peak_mb:8.1f}  "
        f"{'yes' if within else 'NO ':<13}{split}"
    )


# Run in a fresh process with the function's environment: every dataclass built while its handler imports, after
# boto3's (in the reference too), by wrapping the one function all of them go through. That function is private to
# ``dataclasses``: fine for a measure, never something faka's code relies on.
_COUNT_DATACLASSES = """
import dataclasses, json, time
built = []
process_class = dataclasses._process_class
def timed(cls, *args, **kwargs):
    started = time.process_time()
    made = process_class(cls, *args, **kwargs)
    built.append((cls.__module__, time.process_time() - started))
    return made
dataclasses._process_class = timed
import boto3
built.clear()
import {module}
print(json.dumps(built))
"""
# faka's own code: the domain library and the handlers' packages.
OWN_PACKAGES = ("faka", "api", *(spec.name for spec in resources.FUNCTIONS))


def dataclasses_built(spec: FunctionSpec) -> str:
    """How many dataclasses the handler's import builds, faka's and the libraries', and the CPU ms spent on them."""
    output = subprocess.run(
        [sys.executable, "-c", _COUNT_DATACLASSES.format(module=spec.module)],
        env=lambda_environment(spec),
        capture_output=True,
        text=True,
        check=True,
    )
    built: list[tuple[str, float]] = json.loads(output.stdout.splitlines()[-1])
    own = [seconds for module, seconds in built if module.split(".")[0] in OWN_PACKAGES]
    others = [seconds for module, seconds in built if module.split(".")[0] not in OWN_PACKAGES]
    return (
        f"{spec.name:<{NAME_WIDTH}} faka's {len(own):4d} in {sum(own) * 1000:5.1f} ms   "
        f"libraries' {len(others):4d} in {sum(others) * 1000:5.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated function names (default: all)")
    args = parser.parse_args(argv)
    wanted = set(filter(None, args.only.split(",")))
    specs = [spec for spec in resources.FUNCTIONS if not wanted or spec.name in wanted]
    by_name = {spec.name: spec for spec in resources.FUNCTIONS}

    print(
        f"== Cold start per function: a fresh process to the end of its imports, medians of {args.runs} paired runs, "
        f"cpu ratio the median of each pair's (targets: <= {TARGET_RATIO}x import boto3, <= {TARGET_PEAK_MB} MB "
        "peak) =="
    )
    print(
        f"{'function':<{NAME_WIDTH}} {'wall ms':>8} {'boto3 ms':>9} {'ratio':>6} {'cpu ms':>7} {'cpu ratio':>9} "
        f"{'at exit':>8} "
        f"{'peak MB':>8} {'boto3 MB':>8}  within target"
    )
    print("-- floors: what every function of a kind imports before its own code; a floor over the target is the")
    print("   least its functions can take with the libraries they are built on --")
    floor_ratios: dict[str, float] = {}
    for floor in FLOORS:
        if any(floor_of(spec) == floor for spec in specs):
            samples = measure(by_name[floor.function], args.runs, floor.code)
            floor_ratios[floor.name] = cpu_ratio(*samples)
            print(f"{row(floor.name, *samples, None)}({floor.code})")
    print("-- functions: each one's ratio as its kind's floor plus its own imports and module-level work --")
    for spec in specs:
        floor = floor_of(spec)
        print(row(spec.name, *measure(spec, args.runs), (floor.name, floor_ratios[floor.name])))
    print("-- dataclasses each handler's import builds beyond boto3's, and the CPU spent building them (one run) --")
    for spec in specs:
        print(dataclasses_built(spec))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
