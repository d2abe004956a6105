"""The list query on real PostgreSQL: status ranges merged in (created_at, id) order, and read by index."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, text

from notify_api.notifications import store


def _ids(db, service, filters: store.ListFilter, *, older_than: uuid.UUID | None = None,
         limit: int = 250) -> list[str]:
    with db.session() as session:
        rows = store.list_notifications(session, service.id, filters, older_than=older_than, limit=limit)
    return [row.notification.id for row in rows]


def test_status_ranges_merge_newest_first_with_ties_broken_by_id(db, sample_service, add_notification):
    base = datetime(2026, 11, 1, 12, tzinfo=UTC)
    made = [(base + timedelta(seconds=s), add_notification(sample_service, status=status,
                                                            created_at=base + timedelta(seconds=s)))
            for s, status in ((1, "delivered"), (2, "permanent-failure"), (2, "delivered"), (2, "temporary-failure"),
                              (3, "sending"), (4, "technical-failure"))]
    add_notification(sample_service, status="permanent-failure", key_type="test", created_at=base)
    wanted = store.ListFilter(key_types=("normal",),
                              statuses=("permanent-failure", "temporary-failure", "delivered"))
    expected = [str(nid) for at, nid in sorted(made, reverse=True)
                if nid not in (made[4][1], made[5][1])]

    assert _ids(db, sample_service, wanted) == expected
    assert _ids(db, sample_service, wanted, limit=2) == expected[:2]
    assert _ids(db, sample_service, wanted, older_than=uuid.UUID(expected[1])) == expected[2:]
    both = store.ListFilter(key_types=("normal", "test"), statuses=("permanent-failure",))
    assert len(_ids(db, sample_service, both)) == 2


def test_a_listed_page_carries_the_template_text_and_ids_as_text(db, sample_service, add_notification):
    nid = add_notification(sample_service, status="delivered")

    with db.session() as session:
        [stored] = store.list_notifications(session, sample_service.id, store.ListFilter(key_types=("normal",)),
                                            older_than=None, limit=250)

    assert (stored.notification.id, stored.notification.template_id) == (str(nid), str(sample_service.sms_template_id))
    assert stored.template_content and stored.template_subject is None


def test_each_requested_status_is_a_range_of_the_status_index(db, sample_service, add_notification):
    add_notification(sample_service, status="delivered")
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001 - SQLAlchemy hook
        statements.append(cursor.mogrify(statement, parameters).decode())

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        _ids(db, sample_service, store.ListFilter(key_types=("normal",), statuses=("sending", "pending")))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    with db.session() as session:
        # The test table is tiny; without this the planner would rightly read it whole.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.execute(text("EXPLAIN " + statements[0].replace("%", "%%"))).scalars())

    assert plan.count("ix_notifications_service_status_created") == 2, plan
    assert "Merge Append" in plan, plan
