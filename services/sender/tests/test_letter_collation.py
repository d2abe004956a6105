"""Letters and the daily collation: the real sender, the scheduler's `run-job` command, the simulator's print API.

The cut-off is set a little in the past by the database clock (LETTER_COLLATION_TIME with seconds),
and letter rows are created before or after it, so no test waits for 17:30.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from notify_sender.letters import PrintClient, claim_letter
from notify_shared.letters.collation import CollationTime
from notify_shared.letters.store import FilesystemPdfStore
from notify_shared.models import Notification
from notify_testkit.processes import wait_until

from .test_letters import ADDRESS, create_letter

TWENTY_MINUTES = timedelta(minutes=20)


def collation_seconds_ago(db, seconds: float) -> str:
    with db.session() as session:
        now: datetime = session.scalar(select(func.now()))
    return f"{(now - timedelta(seconds=seconds)).astimezone(ZoneInfo('Europe/London')):%H:%M:%S} Europe/London"


def scheduler_job(stack_env: dict[str, str], name: str, collation: str) -> dict:
    """Run one scheduler job now, as an operator does (`python -m notify_scheduler run-job NAME`); its report."""
    done = subprocess.run([sys.executable, "-m", "notify_scheduler", "run-job", name], capture_output=True, text=True,
                          env={**os.environ, **stack_env, "LETTER_COLLATION_TIME": collation}, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_letter_created_after_the_cut_off_waits_and_the_collation_hands_over_those_before_it(
        harness, tmp_path, stack_env):
    collation = collation_seconds_ago(harness.db, 120)
    harness.start_simulator()
    harness.start_sender(LETTER_PDF_DIR=str(tmp_path), PRINT_PROVIDER_URL=harness.simulator_url,
                         LETTER_COLLATION_TIME=collation)
    before = create_letter(harness, age_seconds=600)  # its API message was lost: only the collation sends it
    after = create_letter(harness, age_seconds=30)

    harness.publish(after, "letter")  # the API's message for a letter created after the cut-off
    store = FilesystemPdfStore(tmp_path)
    wait_until(lambda: store.exists(after), timeout=20, message="the waiting letter's PDF")  # so the API can serve it

    assert harness.notification(after).status == "created" and harness.notification(after).claimed_at is None
    report = scheduler_job(stack_env, "collate-letters", collation)

    assert (report["rows"], report["error"]) == (1, None)
    row = harness.wait_for_status(before, "sending", sent=True)
    assert row.sent_by == "dvla" and len(harness.messages(before)) == 1
    harness.publish(after, "letter")  # a duplicate message changes nothing before the next collation
    wait_until(lambda: harness.processes.tail("sender", 400).count("letter_waiting_for_collation") >= 2,
               timeout=20, message="the sender to look at the waiting letter twice")
    assert harness.notification(after).status == "created"
    assert harness.messages(after) == []


def _die_after_claiming(harness, notification_id: uuid.UUID, collation: str, *, handed_over: bool) -> None:
    """A sender that claimed the letter (and maybe got it to the print API), then died before recording it."""
    claim = claim_letter(harness.db, notification_id, 0, CollationTime.parse(collation))
    assert claim is not None and claim.due
    if handed_over:
        PrintClient(harness.simulator_url, 5).submit(notification_id, claim.postage, claim.claimed.to.splitlines(),
                                                     b"%PDF-1.7 the dead sender's copy")
    with harness.db.session() as session:  # ...long ago: its claim is stale
        session.execute(update(Notification).where(Notification.id == notification_id)
                        .values(claimed_at=Notification.claimed_at - TWENTY_MINUTES))


def test_letters_left_by_a_dead_sender_reach_the_print_provider_once_and_their_callbacks_finish_them(
        harness, tmp_path, stack_env):
    collation = collation_seconds_ago(harness.db, 120)
    for name in ("status-receiver", "receipts-worker"):
        harness.processes.start(harness.specs[name], extra_env={"GUNICORN_GRACEFUL_TIMEOUT": "1"})
    harness.start_simulator()
    harness.start_sender(LETTER_PDF_DIR=str(tmp_path), PRINT_PROVIDER_URL=harness.simulator_url,
                         LETTER_COLLATION_TIME=collation)  # the live sender: nothing is on the bus for them yet
    second_lines = ADDRESS.split("\n", 1)[1]
    before_print = create_letter(harness, age_seconds=600)
    after_print = create_letter(harness, age_seconds=600)
    failing = create_letter(harness, age_seconds=600, to=f"technical-failure\n{second_lines}")  # the print run fails it
    # The print job the dead sender got in is posted hours later (DVLA), long after the recovery: its
    # callback is not part of this test, so the simulator sends none for it.
    _die_after_claiming(harness, after_print, collation, handed_over=True)
    harness.configure_simulator(receipts_enabled=True)
    _die_after_claiming(harness, before_print, collation, handed_over=False)
    _die_after_claiming(harness, failing, collation, handed_over=False)

    report = scheduler_job(stack_env, "recover-stale-claims", collation)

    assert (report["rows"], report["error"]) == (3, None)
    for letter in (before_print, after_print, failing):
        row = harness.wait_for_status(letter, "sending", "delivered", "technical-failure", sent=True)
        assert row.sent_by == "dvla" and row.send_attempts == 2  # handed over by the recovered attempt
    # The print API refused a second job for the same id (409), which the sender takes as already received.
    row = harness.notification(after_print)
    assert (row.status, row.reference) == ("sending", str(after_print))
    for letter, final_status in ((before_print, "delivered"), (failing, "technical-failure")):
        row = harness.wait_for_status(letter, final_status, timeout=30)  # through the print callback
        assert row.completed_at is not None
    assert [len(harness.messages(n)) for n in (before_print, after_print, failing)] == [1, 1, 1]
