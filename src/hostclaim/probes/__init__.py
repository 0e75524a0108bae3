"""hostclaim's own prober: checks (http/https, tcp, dns, tls), a grid scheduler that judges
its own health, and closed Parquet-ready segments of ``PROBE_SCHEMA`` rows.

    from hostclaim.probes import MonitorSpec, HealthConfig, run_sync
    specs = [MonitorSpec(kind="https", target="https://vps.example.net/", interval_s=60)]
    run_sync(specs, vantage="home", on_segment=lambda table: store_segment(ws, ref, table, ...),
             reference=HealthConfig(references=public_references(), interface="auto"))
"""

from hostclaim.probes.checks import (
    CHECKS,
    Check,
    CheckContext,
    DnsCheck,
    HttpCheck,
    ProbeResult,
    TcpCheck,
    TlsCheck,
    check_once,
    classify,
    get_check,
    register,
)
from hostclaim.probes.health import (
    HealthConfig,
    default_route_interface,
    interface_up,
    public_references,
)
from hostclaim.probes.runner import (
    Prober,
    ProbeRecord,
    RunnerConfig,
    RunSummary,
    run,
    run_sync,
)
from hostclaim.probes.segments import SegmentWriter
from hostclaim.probes.spec import MonitorSpec, parse_status_ranges, split_host_port
from hostclaim.probes.status import LiveStatus, TargetStatus

__all__ = [
    "CHECKS",
    "Check",
    "CheckContext",
    "DnsCheck",
    "HealthConfig",
    "HttpCheck",
    "LiveStatus",
    "MonitorSpec",
    "ProbeRecord",
    "ProbeResult",
    "Prober",
    "RunSummary",
    "RunnerConfig",
    "SegmentWriter",
    "TargetStatus",
    "TcpCheck",
    "TlsCheck",
    "check_once",
    "classify",
    "default_route_interface",
    "get_check",
    "interface_up",
    "parse_status_ranges",
    "public_references",
    "register",
    "run",
    "run_sync",
    "split_host_port",
]
