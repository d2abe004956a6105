"""What a job gets to work with, and how it reports progress."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from notify_shared.bus import Bus
from notify_shared.db import Database

from ..config import SchedulerConfig


@dataclass
class JobContext:
    db: Database
    bus: Bus
    config: SchedulerConfig
    stopping: threading.Event = field(default_factory=threading.Event)
    deadline: float = float("inf")  # time.monotonic() value after which a job should wrap up
    rows: int = 0

    def count(self, rows: int) -> None:
        """Record rows handled so far; kept even if the job later fails part-way."""
        self.rows += rows

    def should_stop(self) -> bool:
        """True when the process is shutting down or the run has used its time budget."""
        return self.stopping.is_set() or time.monotonic() >= self.deadline
