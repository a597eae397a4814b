"""Prometheus metrics: HTTP requests and latencies, and the ledger's progress read at scrape time.

Ingest rate is `rate(canbo_ledger_events_total[1m])` (one event per statement for the types so
far). Lags count stored events not yet taken in: by the sequencer (so not yet in a checkpoint)
and by each read model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ledger.bootstrap import Ledger

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    """One registry per app (tests build many apps; a global registry would mix them)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "canbo_http_requests",
            "HTTP requests answered, by method, route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "canbo_http_request_duration_seconds",
            "Time from request to the end of the response, by method and route template",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def watch(self, ledger: Ledger, positions: dict[str, Callable[[], int]]) -> Collector:
        """Report the ledger's progress (and each read model's position) at every scrape."""
        collector = LedgerCollector(ledger, positions)
        self.registry.register(collector)
        return collector

    def unwatch(self, collector: Collector) -> None:
        """Stop reporting a ledger (it is closing)."""
        self.registry.unregister(collector)

    def render(self) -> bytes:
        """The exposition text."""
        return generate_latest(self.registry)


class LedgerCollector(Collector):
    """Events stored, leaves sequenced, lags and checkpoint age, read from the database."""

    def __init__(self, ledger: Ledger, positions: dict[str, Callable[[], int]]) -> None:
        self.ledger = ledger
        self.positions = positions

    def describe(self) -> list[Metric]:
        """Nothing up front: describing would query the database at registration."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Query the event store and the log's state."""
        stored = self.ledger.app.recorder.max_notification_id() or 0
        head = self.ledger.log.head()
        events = CounterMetricFamily("canbo_ledger_events", "Events stored in the event store")
        events.add_metric([], stored)
        yield events
        leaves = CounterMetricFamily("canbo_log_leaves", "Leaves in the latest checkpoint")
        leaves.add_metric([], head.size if head else 0)
        yield leaves
        lag = GaugeMetricFamily(
            "canbo_sequencer_lag_events", "Stored events not yet in a signed checkpoint"
        )
        lag.add_metric([], max(0, stored - (head.position if head else 0)))
        yield lag
        projection = GaugeMetricFamily(
            "canbo_projection_lag_events",
            "Stored events not yet taken in by a read model",
            labels=["projection"],
        )
        for name, position in self.positions.items():
            projection.add_metric([name], max(0, stored - position()))
        yield projection
        age = GaugeMetricFamily(
            "canbo_checkpoint_age_seconds",
            "Seconds since the newest event in the latest checkpoint was recorded (checkpoints "
            "are signed right after each batch, so the checkpoint is at most this old)",
        )
        recorded = self._recorded_at(head.position) if head else None
        if recorded is not None:
            # Event timestamps are the recording machine's real clock, so compare with that.
            age.add_metric([], max(0.0, (datetime.now(UTC) - recorded).total_seconds()))
        yield age

    def _recorded_at(self, position: int) -> datetime | None:
        found: Any = self.ledger.app.recorder.select_notifications(position, 1)
        if not found or found[0].id != position:
            return None
        event: Any = self.ledger.app.mapper.to_domain_event(found[0])
        moment: datetime = event.timestamp
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
