"""The one shape of raw monitoring data, whatever produced it.

Probes (``hostclaim monitor run``) and importers (Uptime Kuma, Prometheus, Gatus, CSV/JSONL,
ping logs) all yield rows of this schema; analysis and the Parquet segments use it as is.

Columns
- ``target``     what was checked (URL, host:port, monitor name)
- ``vantage``    where it was checked from (the prober's name, a Prometheus series label …)
- ``at_us``      check time, UTC, microseconds since the Unix epoch (int64)
- ``state``      one of ``State`` (int8)
- ``latency_ms`` float64, null when unknown
- ``error``      error class (``ErrorClass``) or null when ok
- ``detail``     free text (HTTP status, message), may be null
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

import pyarrow as pa


class State(IntEnum):
    DOWN = 0
    UP = 1
    DEGRADED = 2
    MAINTENANCE = 3
    UNKNOWN = 4


class ErrorClass(StrEnum):
    DNS = "dns"
    CONNECT = "connect"
    TIMEOUT = "timeout"
    TLS = "tls"
    HTTP_STATUS = "http_status"
    CONTENT = "content"
    PROBER = "prober"  # this prober itself was unhealthy: the sample is UNKNOWN, not DOWN


PROBE_SCHEMA = pa.schema(
    [
        pa.field("target", pa.string(), nullable=False),
        pa.field("vantage", pa.string(), nullable=False),
        pa.field("at_us", pa.int64(), nullable=False),
        pa.field("state", pa.int8(), nullable=False),
        pa.field("latency_ms", pa.float64()),
        pa.field("error", pa.string()),
        pa.field("detail", pa.string()),
    ]
)
