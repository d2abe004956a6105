"""Prometheus metrics for the sender, served on the health listener's /metrics."""
from __future__ import annotations

from prometheus_client import Counter, Histogram

CLAIMS = Counter("notify_sender_claims_total", "Claim outcomes per message", ["result"])
DUPLICATES = Counter("notify_sender_duplicate_claims_total", "Messages for notifications already claimed or handled")
PROVIDER_CALLS = Counter("notify_sender_provider_calls_total", "Provider hand-over attempts",
                         ["provider", "simulated", "outcome"])
PROVIDER_LATENCY = Histogram("notify_sender_provider_seconds", "Provider call latency", ["provider"],
                             buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
RESULTS = Counter("notify_sender_results_total", "Final result of each claimed attempt", ["result"])
# The headline number (DESIGN §8): created -> handed to a provider.
CREATED_TO_SENT = Histogram("notify_sender_created_to_sent_seconds", "Seconds from created to handed to a provider",
                            ["notification_type"],
                            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600))
PRIORITY_CHANGES = Counter("notify_sender_sms_priority_changes_total", "SMS provider priority changes made by senders",
                           ["reason"])
