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
