from notify_shared.config import Settings
from notify_status_receiver.config import ReceiverConfig


def test_locally_sns_signatures_are_not_required_and_any_ses_topic_is_accepted(monkeypatch):
    monkeypatch.delenv("SNS_VERIFY_SIGNATURES", raising=False)
    monkeypatch.delenv("SES_SNS_TOPIC_ARNS", raising=False)

    config = ReceiverConfig.from_env(Settings(environment="development", sqs_region="eu-west-2"))

    assert config.sns_verify_signatures is False
    assert config.accepts_any_ses_topic() is True
    assert config.sns_allowed_hosts == ("sns.eu-west-2.amazonaws.com",)


def test_in_a_deployment_signatures_are_required_and_only_listed_topics_are_accepted(monkeypatch):
    monkeypatch.delenv("SNS_VERIFY_SIGNATURES", raising=False)
    monkeypatch.setenv("SES_SNS_TOPIC_ARNS", "arn:aws:sns:eu-west-1:1:a, arn:aws:sns:eu-west-1:1:b")
    monkeypatch.setenv("SES_REGION", "eu-west-1")
    monkeypatch.delenv("SNS_REGION", raising=False)

    config = ReceiverConfig.from_env(Settings(environment="production"))

    assert config.sns_verify_signatures is True
    assert config.accepts_any_ses_topic() is False
    assert config.ses_sns_topic_arns == ("arn:aws:sns:eu-west-1:1:a", "arn:aws:sns:eu-west-1:1:b")
    assert config.sns_allowed_hosts == ("sns.eu-west-1.amazonaws.com",)


def test_inbound_credentials_are_per_provider_with_a_shared_fallback(monkeypatch):
    monkeypatch.setenv("INBOUND_SMS_AUTH_CREDENTIALS", "shared:one")
    monkeypatch.setenv("FIRETEXT_INBOUND_SMS_AUTH_CREDENTIALS", "notify:two, notify:rotated")
    monkeypatch.delenv("MMG_INBOUND_SMS_AUTH_CREDENTIALS", raising=False)

    config = ReceiverConfig.from_env(Settings())

    assert config.mmg_inbound_auth == ("shared:one",)
    assert config.firetext_inbound_auth == ("notify:two", "notify:rotated")


def test_callback_concurrency_and_receipt_batching_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CALLBACK_CONCURRENCY", "16")
    monkeypatch.setenv("CALLBACK_CONCURRENCY_PER_SERVICE", "3")
    monkeypatch.setenv("RECEIPT_BATCH_SIZE", "100")
    monkeypatch.setenv("RECEIPT_BATCH_WAIT_MS", "20")

    config = ReceiverConfig.from_env(Settings())

    assert (config.callback_concurrency, config.callback_concurrency_per_service) == (16, 3)
    assert (config.receipt_batch_size, config.receipt_batch_wait_seconds) == (100, 0.02)
