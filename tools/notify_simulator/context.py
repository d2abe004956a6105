"""What every provider endpoint needs: settings, run-time knobs, the send log and the receipt poster."""
from __future__ import annotations

import time
from dataclasses import dataclass

from .receipts import Receipt, ReceiptPoster
from .settings import SimulatorSettings
from .state import RuntimeState, SendLog


@dataclass
class SimulatorContext:
    settings: SimulatorSettings
    state: RuntimeState
    sends: SendLog
    receipts: ReceiptPoster

    def injected_failure(self, provider: str) -> int | None:
        """Wait the configured latency, then return an HTTP status to fail with (or None to succeed)."""
        behaviour = self.state.behaviour(provider)
        if behaviour.latency_seconds:
            time.sleep(behaviour.latency_seconds)
        if behaviour.fail_status is not None:
            self.sends.record_rejected(provider)
        return behaviour.fail_status

    def post_receipts(self, *receipts: Receipt, gap_seconds: float = 0.5) -> None:
        """Schedule receipts in order, `gap_seconds` apart, unless receipts are switched off."""
        delay = self.state.receipt_delay()
        if delay is None:
            return
        for index, receipt in enumerate(receipts):
            self.receipts.schedule(receipt, delay + index * gap_seconds)
