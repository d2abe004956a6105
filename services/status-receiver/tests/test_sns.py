import json

import pytest

from notify_status_receiver.sns import (
    SnsVerificationError,
    check_signing_cert_url,
    string_to_sign,
    verify_signature,
)

NOTIFICATION = {
    "Type": "Notification",
    "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    "TopicArn": "arn:aws:sns:eu-west-2:123456789012:ses-receipts",
    "Message": json.dumps({"notificationType": "Delivery", "mail": {"messageId": "ses-1"}}),
    "Timestamp": "2026-05-01T12:00:00.000Z",
}


def test_the_string_to_sign_lists_notification_fields_in_aws_order_and_skips_a_missing_subject():
    assert string_to_sign(NOTIFICATION) == (
        f"Message\n{NOTIFICATION['Message']}\nMessageId\n{NOTIFICATION['MessageId']}\n"
        f"Timestamp\n{NOTIFICATION['Timestamp']}\nTopicArn\n{NOTIFICATION['TopicArn']}\nType\nNotification\n"
    ).encode()


def test_the_string_to_sign_for_a_subscription_confirmation_includes_the_subscribe_url_and_token():
    message = {**NOTIFICATION, "Type": "SubscriptionConfirmation", "SubscribeURL": "https://sns/x", "Token": "t"}

    signed = string_to_sign(message).decode()

    assert "SubscribeURL\nhttps://sns/x\n" in signed
    assert "Token\nt\n" in signed


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_message_signed_by_the_certificate_verifies_with_signature_version_1_and_2(sns_signer, version):
    verify_signature(sns_signer.sign(NOTIFICATION, version), sns_signer.certificate)


def test_a_message_changed_after_signing_is_rejected(sns_signer):
    signed = sns_signer.sign(NOTIFICATION)
    tampered = {**signed, "Message": json.dumps({"notificationType": "Bounce", "mail": {"messageId": "ses-1"}})}

    with pytest.raises(SnsVerificationError, match="does not match"):
        verify_signature(tampered, sns_signer.certificate)


def test_an_unsigned_message_is_rejected(sns_signer):
    with pytest.raises(SnsVerificationError):
        verify_signature({**NOTIFICATION, "SignatureVersion": "1"}, sns_signer.certificate)


@pytest.mark.parametrize("url", [
    "http://sns.eu-west-2.amazonaws.com/cert.pem",
    "https://sns.eu-west-2.amazonaws.com.evil.example/cert.pem",
    "https://evil.example/sns.eu-west-2.amazonaws.com/cert.pem",
    "https://s3.amazonaws.com/cert.pem",
    "https://user@sns.eu-west-2.amazonaws.com/cert.pem",
    None,
])
def test_a_signing_certificate_must_come_over_https_from_an_sns_host(url):
    with pytest.raises(SnsVerificationError):
        check_signing_cert_url(url)


def test_the_sns_certificate_url_of_a_real_region_is_accepted():
    url = "https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0000000000.pem"

    assert check_signing_cert_url(url) == url
