"""The jobs the scheduler runs, defined in code with their schedules (UTC, at Notify's times)."""
from __future__ import annotations

from ..config import SchedulerConfig
from ..schedule import AtCollation, Cron, Every, Job
from .collate_letters import collate_letters
from .inbound_retention import delete_inbound_sms_past_retention
from .provider_reweighting import reweight_sms_providers
from .recover_stale_claims import recover_stale_claims
from .replay_created import replay_stuck_created
from .retention import delete_notifications_past_retention
from .status_counts import build_daily_status_counts
from .timeout_sending import timeout_sending_notifications

HOUR = 3600


def all_jobs(config: SchedulerConfig) -> list[Job]:
    return [
        # Every 15 minutes by default; faster when REPLAY_CREATED_AFTER_SECONDS is short (see config).
        Job("replay-created-notifications", replay_stuck_created, Every(config.replay_interval_seconds),
            timeout_seconds=max(60, config.replay_interval_seconds * 4)),
        # Three scans per STALE_CLAIM_SECONDS (every 5 minutes by default): a dead sender's rows wait
        # at most a third longer than the threshold.
        Job("recover-stale-claims", recover_stale_claims, Every(max(60, config.stale_claim_seconds // 3)),
            timeout_seconds=max(300, config.stale_claim_seconds)),
        # Daily at LETTER_COLLATION_TIME (17:30 London by default), in its own zone.
        Job("collate-letters", collate_letters, AtCollation(config.collation), timeout_seconds=2 * HOUR),
        Job("timeout-sending-notifications", timeout_sending_notifications, Cron("5 0 * * *"),
            timeout_seconds=2 * HOUR),
        Job("delete-notifications-past-retention", delete_notifications_past_retention, Cron("0 3 * * *"),
            timeout_seconds=4 * HOUR),
        Job("delete-inbound-sms-past-retention", delete_inbound_sms_past_retention, Cron("40 3 * * *"),
            timeout_seconds=2 * HOUR),
        Job("daily-status-counts", build_daily_status_counts, Cron("0 * * * *"), timeout_seconds=HOUR),
        Job("sms-provider-reweighting", reweight_sms_providers, Cron("*/5 * * * *"), timeout_seconds=600),
    ]


def job_named(jobs: list[Job], name: str) -> Job:
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(f"no job named {name!r}; known jobs: {', '.join(j.name for j in jobs)}")
