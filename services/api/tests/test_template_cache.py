"""The per-process template cache sends use: a few seconds at most behind an edit, and none behind this process's
own admin API."""
from __future__ import annotations

import uuid

import pytest

from notify_api.notifications.template_cache import TemplateCache
from notify_shared import provisioning
from notify_shared.models import Template


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def edit(db, template_id: uuid.UUID, **changes) -> None:
    with db.session() as session:
        provisioning.update_template(session, session.get(Template, template_id), **changes)


def read(db, cache: TemplateCache, service_id: uuid.UUID, template_id: uuid.UUID):
    with db.session() as session:
        return cache.get(session, service_id, template_id)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_an_edit_made_elsewhere_is_used_once_the_entry_expires(db, sample_service, clock):
    cache = TemplateCache(5, clock=clock)
    template_id = sample_service.sms_template_id
    assert read(db, cache, sample_service.id, template_id).version == 1

    edit(db, template_id, content="Version two ((name)) ((code))")
    clock.now += 4.9
    assert read(db, cache, sample_service.id, template_id).version == 1
    clock.now += 0.2
    assert read(db, cache, sample_service.id, template_id).content == "Version two ((name)) ((code))"


def test_forgetting_a_service_applies_its_edits_at_once(db, sample_service, clock):
    cache = TemplateCache(5, clock=clock)
    template_id = sample_service.sms_template_id
    read(db, cache, sample_service.id, template_id)

    edit(db, template_id, archived=True)
    cache.forget(sample_service.id)

    assert read(db, cache, sample_service.id, template_id).archived is True


def test_a_template_not_found_is_not_remembered(db, sample_service, clock):
    cache = TemplateCache(5, clock=clock)
    with db.session() as session:
        created = provisioning.create_template(session, service_id=sample_service.id, name="later",
                                               template_type="sms", content="Hi")
        new_id = created.id
    other_service = uuid.uuid4()

    assert read(db, cache, other_service, new_id) is None  # another service's template is not found
    assert read(db, cache, sample_service.id, new_id).content == "Hi"


def test_a_ttl_of_zero_reads_every_time(db, sample_service, clock):
    cache = TemplateCache(0, clock=clock)
    template_id = sample_service.sms_template_id
    read(db, cache, sample_service.id, template_id)

    edit(db, template_id, content="Fresh ((name)) ((code))")

    assert read(db, cache, sample_service.id, template_id).version == 2


def test_the_cache_is_bounded(db, sample_service, clock):
    cache = TemplateCache(5, max_entries=1, clock=clock)
    read(db, cache, sample_service.id, sample_service.sms_template_id)
    read(db, cache, sample_service.id, sample_service.email_template_id)

    assert len(cache._entries) == 1
