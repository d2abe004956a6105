from sqlalchemy import select, text, update

from notify_shared.models import ProviderDetails, ProviderDetailsHistory

from .conftest import run_named_job

REWEIGHT = "sms-provider-reweighting"


def _priorities(db) -> dict[str, int]:
    with db.session() as session:
        return dict(session.execute(select(ProviderDetails.identifier, ProviderDetails.priority)
                                    .where(ProviderDetails.notification_type == "sms")).all())


def _history(db) -> list[tuple[str, int, str]]:
    with db.session() as session:
        return session.execute(
            select(ProviderDetails.identifier, ProviderDetailsHistory.priority, ProviderDetailsHistory.reason)
            .join(ProviderDetails, ProviderDetails.id == ProviderDetailsHistory.provider_id)
            .order_by(ProviderDetails.identifier)).all()


def _texts(stuck, provider: str, count: int, *, status: str, sent_ago: float, delivered_after: float | None = None):
    for _ in range(count):
        ages = {"sent_at": sent_ago}
        if delivered_after is not None:
            ages["completed_at"] = sent_ago - delivered_after
        stuck(status=status, sent_by=provider, age_seconds=sent_ago + 1, ages=ages)


def test_a_provider_whose_texts_are_slow_to_deliver_loses_ten_points_to_the_other(empty_db, bus, stuck):
    _texts(stuck, "mmg", 3, status="sending", sent_ago=400)  # 6+ minutes without a receipt: slow
    _texts(stuck, "mmg", 2, status="delivered", sent_ago=400, delivered_after=20)
    _texts(stuck, "firetext", 5, status="delivered", sent_ago=400, delivered_after=20)
    _texts(stuck, "firetext", 5, status="sending", sent_ago=30)  # still within five minutes: not slow yet

    result = run_named_job(empty_db, bus, REWEIGHT)

    assert result.ok and result.rows == 2
    assert _priorities(empty_db) == {"mmg": 40, "firetext": 60}
    history = _history(empty_db)
    assert [(name, priority) for name, priority, _ in history] == [("firetext", 60), ("mmg", 40)]
    assert all(reason.startswith("slow delivery: mmg had 3 of 5 texts") for _, _, reason in history)


def test_a_second_run_within_the_cool_down_changes_nothing(empty_db, bus, stuck):
    _texts(stuck, "mmg", 3, status="sending", sent_ago=400)

    run_named_job(empty_db, bus, REWEIGHT)
    again = run_named_job(empty_db, bus, REWEIGHT)

    assert again.ok and again.rows == 0
    assert _priorities(empty_db) == {"mmg": 40, "firetext": 60}


def test_texts_delivered_late_count_as_slow_but_old_or_test_key_texts_do_not(empty_db, bus, stuck):
    _texts(stuck, "firetext", 2, status="delivered", sent_ago=500, delivered_after=320)
    _texts(stuck, "mmg", 5, status="sending", sent_ago=700)  # handed over before the ten-minute window
    for _ in range(5):
        stuck(status="sending", sent_by="mmg", key_type="test", age_seconds=401, ages={"sent_at": 400})

    run_named_job(empty_db, bus, REWEIGHT)

    assert _priorities(empty_db) == {"mmg": 60, "firetext": 40}


def test_without_slow_delivery_priorities_drift_back_towards_an_even_split(empty_db, bus):
    with empty_db.session() as session:
        session.execute(update(ProviderDetails).where(ProviderDetails.identifier == "mmg").values(priority=20))
        session.execute(update(ProviderDetails).where(ProviderDetails.identifier == "firetext").values(priority=80))

    result = run_named_job(empty_db, bus, REWEIGHT)

    assert result.rows == 2
    assert _priorities(empty_db) == {"mmg": 30, "firetext": 70}
    assert all(reason.startswith("drift back towards resting priorities") for _, _, reason in _history(empty_db))


def test_drift_waits_an_hour_after_the_last_slow_delivery_move(empty_db, bus, stuck):
    _texts(stuck, "mmg", 3, status="sending", sent_ago=400)
    run_named_job(empty_db, bus, REWEIGHT)
    with empty_db.session() as session:  # mmg's texts were delivered after all
        session.execute(text("UPDATE notifications SET status = 'delivered', completed_at = sent_at"))

    waited = run_named_job(empty_db, bus, REWEIGHT)
    with empty_db.session() as session:
        session.execute(text("UPDATE provider_details_history SET created_at = created_at - interval '61 minutes'"))
    drifted = run_named_job(empty_db, bus, REWEIGHT)

    assert (waited.rows, drifted.rows) == (0, 2)
    assert _priorities(empty_db) == {"mmg": 50, "firetext": 50}
