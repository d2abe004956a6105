import uuid

from sqlalchemy import update

from notify_api.api_keys import CredentialsCache
from notify_shared.models import ApiKey, utcnow
from notify_testkit.fixtures import make_service


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_credentials_hold_decrypted_secrets_and_the_default_sender(db, secret_box, sample_service, tokens):
    credentials = CredentialsCache(db, secret_box, 10).get(sample_service.id)

    _, secret = tokens.key_parts(sample_service.api_key)
    assert secret in {key.secret for key in credentials.keys}
    assert {key.key_type for key in credentials.keys} == {"normal", "test", "team"}
    assert credentials.default_sms_sender == "notify"


def test_a_revocation_is_seen_once_the_cached_entry_expires(db, secret_box):
    service = make_service(db, secret_box)
    clock = FakeClock()
    cache = CredentialsCache(db, secret_box, 10, clock=clock)
    assert not any(k.revoked for k in cache.get(service.id).keys)
    with db.session() as session:
        session.execute(update(ApiKey).where(ApiKey.service_id == service.id).values(expiry_date=utcnow()))

    clock.now += 9
    still_cached = cache.get(service.id)
    clock.now += 2
    reloaded = cache.get(service.id)

    assert not any(k.revoked for k in still_cached.keys)
    assert all(k.revoked for k in reloaded.keys)


def test_unknown_services_are_cached_and_the_cache_is_bounded(db, secret_box):
    cache = CredentialsCache(db, secret_box, 10, max_entries=2)
    ids = [uuid.uuid4() for _ in range(3)]
    results = [cache.get(i) for i in ids]

    assert results == [None, None, None]
    assert len(cache._entries) == 2
