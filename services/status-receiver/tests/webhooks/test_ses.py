import json
from dataclasses import replace

import pytest

from notify_shared import queues
from notify_status_receiver.app import create_app

TOPIC = "arn:aws:sns:eu-west-2:123456789012:ses-receipts"
SUCCESS = {"result": "success", "message": "SES callback succeeded"}


def ses_event(event_type="Delivery", **extra) -> dict:
    event = {
        "notificationType": event_type,
        "mail": {"timestamp": "2026-05-01T12:00:00.000Z", "messageId": "0102018f-ses-message-id",
                 "destination": ["someone@example.com"], "source": "service@notify.example"},
        **extra,
    }
    return {"Type": "Notification", "MessageId": "sns-message-1", "TopicArn": TOPIC, "Message": json.dumps(event),
            "Timestamp": "2026-05-01T12:00:01.000Z"}


def post_sns(client, body: dict):
    # SNS posts JSON with Content-Type text/plain.
    return client.post("/notifications/email/ses", data=json.dumps(body), content_type="text/plain; charset=UTF-8")


def app_with(settings, bus, receiver_config, certificates=None, **changes):
    return create_app(settings, bus=bus, config=replace(receiver_config, **changes),
                      certificates=certificates).test_client()


def test_a_bounce_is_answered_200_and_queued_without_email_addresses(client, read_messages):
    bounce = {"bounceType": "Permanent", "bounceSubType": "General", "timestamp": "2026-05-01T12:00:02.000Z",
              "bouncedRecipients": [{"emailAddress": "someone@example.com"}]}

    response = post_sns(client, ses_event("Bounce", bounce=bounce))

    assert response.status_code == 200
    assert response.get_json() == SUCCESS
    [message] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    assert message.kind == "ses-receipt"
    fields = ("provider", "reference", "event_type", "bounce_type", "provider_timestamp")
    assert {k: message.payload[k] for k in fields} == {
        "provider": "ses", "reference": "0102018f-ses-message-id", "event_type": "Bounce",
        "bounce_type": "Permanent", "provider_timestamp": "2026-05-01T12:00:02.000Z",
    }
    assert "example.com" not in json.dumps(message.payload)


@pytest.mark.parametrize(("body", "message"), [
    ({"Type": "Notification", "TopicArn": TOPIC}, "SES callback failed: Message missing"),
    ({"Type": "Notification", "TopicArn": TOPIC, "Message": "{not json"}, "SES callback failed: invalid json"),
    ({"Type": "Notification", "TopicArn": TOPIC, "Message": json.dumps({"mail": {"messageId": "m"}})},
     "SES callback failed: notificationType missing"),
    ({"Type": "Notification", "TopicArn": TOPIC, "Message": json.dumps({"notificationType": "Delivery"})},
     "SES callback failed: messageId missing"),
])
def test_an_ses_event_missing_fields_is_rejected_with_notifys_messages(client, bus, body, message):
    response = post_sns(client, body)

    assert response.status_code == 400
    assert response.get_json() == {"status_code": 400, "errors": [{"error": "BadRequestError", "message": message}]}
    assert bus.published == 0


def test_a_body_that_is_not_json_is_rejected(client):
    response = client.post("/notifications/email/ses", data="nope", content_type="text/plain")

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "SES callback failed: invalid json"


def test_a_topic_outside_the_allow_list_is_refused(settings, bus, receiver_config):
    client = app_with(settings, bus, receiver_config, ses_sns_topic_arns=("arn:aws:sns:eu-west-2:1:other",))

    response = post_sns(client, ses_event())

    assert response.status_code == 403
    assert response.get_json()["errors"] == [
        {"error": "AuthError", "message": "SES callback failed: topic not allowed"},
    ]
    assert bus.published == 0


def test_outside_development_an_empty_topic_allow_list_accepts_no_topic(settings, bus, receiver_config):
    client = app_with(settings, bus, receiver_config, development=False, sns_verify_signatures=False)

    assert post_sns(client, ses_event()).status_code == 403


def test_with_signature_checks_on_an_unsigned_message_is_refused(settings, bus, receiver_config, sns_certificates):
    client = app_with(settings, bus, receiver_config, sns_certificates, sns_verify_signatures=True)

    response = post_sns(client, ses_event())

    assert response.status_code == 403
    assert response.get_json()["errors"][0]["message"] == "SES callback failed: invalid SNS signature"
    assert bus.published == 0


def test_with_signature_checks_on_a_message_signed_by_sns_is_accepted(settings, bus, receiver_config, sns_signer,
                                                                       sns_certificates, read_messages):
    client = app_with(settings, bus, receiver_config, sns_certificates, sns_verify_signatures=True,
                      ses_sns_topic_arns=(TOPIC,))

    response = post_sns(client, sns_signer.sign(ses_event(), version="1"))

    assert response.status_code == 200
    assert sns_certificates.fetched == [sns_signer.cert_url]
    [message] = read_messages(queues.DELIVERY_RECEIPTS, 1)
    assert message.payload["event_type"] == "Delivery"


def test_with_signature_checks_on_a_signed_message_altered_in_transit_is_refused(settings, bus, receiver_config,
                                                                                 sns_signer, sns_certificates):
    client = app_with(settings, bus, receiver_config, sns_certificates, sns_verify_signatures=True)
    signed = sns_signer.sign(ses_event())
    altered = {**signed, "Message": ses_event("Bounce", bounce={"bounceType": "Permanent"})["Message"]}

    assert post_sns(client, altered).status_code == 403


def test_a_subscription_confirmation_fetches_the_subscribe_url_on_an_allowed_host(settings, bus, receiver_config,
                                                                                  service_endpoint):
    client = app_with(settings, bus, receiver_config, sns_allowed_hosts=("127.0.0.1",))
    subscribe_url = service_endpoint.url.replace("/callbacks/delivery", "/confirm?Token=abc")

    response = post_sns(client, {"Type": "SubscriptionConfirmation", "TopicArn": TOPIC, "Token": "abc",
                                 "SubscribeURL": subscribe_url, "Message": "You have chosen to subscribe"})

    assert response.status_code == 200
    assert [r.path for r in service_endpoint.requests] == ["/confirm?Token=abc"]


def test_a_subscription_confirmation_pointing_elsewhere_is_refused_without_fetching(client, service_endpoint):
    response = post_sns(client, {"Type": "SubscriptionConfirmation", "TopicArn": TOPIC, "Token": "abc",
                                 "SubscribeURL": service_endpoint.url, "Message": "subscribe"})

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "SES callback failed: SubscribeURL host not allowed"
    assert service_endpoint.requests == []
