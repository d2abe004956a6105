from notify_api.notifications.publishing import queue_for
from notify_shared import queues


def test_each_type_has_its_own_send_queue_and_test_keys_go_to_research_mode():
    assert queue_for("sms", "normal") == queues.SEND_SMS
    assert queue_for("email", "team") == queues.SEND_EMAIL
    assert queue_for("letter", "normal") == queues.SEND_LETTER
    assert {queue_for(t, "test") for t in ("sms", "email", "letter")} == {queues.RESEARCH_MODE}
