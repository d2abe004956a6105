"""A schema-driven fuzz run (schemathesis) against the running API with a valid key.

Every operation in the OpenAPI description gets requests generated from it, valid and invalid; the run fails
on any 5xx, any status, content type, header or body the description does not allow, and any invalid
request the API accepts. Valid requests are pointed at the service's real templates and Notify's simulated
recipients half of the time, so they get past "Template not found" into rendering and recipient rules.
Bounded by MAX_EXAMPLES per operation and mode so the run takes well under a minute.
"""
from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]
SIMULATED_RECIPIENTS = {"phone_number": "07700900000",
                        "email_address": "simulate-delivered@notifications.service.gov.uk"}
# Enough to fill the sample templates in, and a postal address for letters.
FILLED_IN = {"name": "Ada", "code": "1", "address_line_1": "Ada Lovelace", "address_line_2": "1 Street",
             "address_line_3": "SW1A 1AA"}


def with_real_ids(service, notification_id: str):  # noqa: ANN201 - returns a function over schemathesis Cases
    """Swap generated ids for ones that exist, keeping the case valid (valid uuids for valid uuids)."""
    templates = {"sms": str(service.sms_template_id), "email": str(service.email_template_id),
                 "letter": str(service.letter_template_id)}

    def swap(pair):  # noqa: ANN001, ANN202
        case, use_real = pair
        if not use_real:
            return case
        path = case.operation.path
        if "template_id" in (case.path_parameters or {}):
            case.path_parameters["template_id"] = templates["email"]
        if "notification_id" in (case.path_parameters or {}):
            case.path_parameters["notification_id"] = notification_id
        if isinstance(case.body, dict) and "template_id" in case.body:
            case.body["template_id"] = templates.get(path.rsplit("/", 1)[-1], templates["sms"])
            for field, recipient in SIMULATED_RECIPIENTS.items():
                if field in case.body:
                    case.body[field] = recipient
            # Generated sender and reply-to ids cannot exist, a generated time is rarely within the next day and
            # a generated "https://..." rarely a URL.
            for optional in ("sms_sender_id", "email_reply_to_id", "scheduled_for", "one_click_unsubscribe_url"):
                case.body.pop(optional, None)
        if isinstance(case.body, dict) and ("template_id" in case.body or path.endswith("/preview")):
            case.body["personalisation"] = {**(case.body.get("personalisation") or {}), **FILLED_IN}
        return case

    return swap


def test_no_request_gets_a_server_error_or_an_answer_the_description_does_not_allow(
        shared_api, notify_client, sample_service, tokens):
    notification_id = notify_client(sample_service.api_key).send_sms_notification(
        "07700900456", str(sample_service.sms_template_id), {"name": "Ada", "code": "1"})["id"]
    schema = schemathesis.openapi.from_url(f"{shared_api}/v2/openapi.json")

    # Through schemathesis's auth hook, so invalid cases that drop the Authorization header keep it dropped.
    @schema.auth(refresh_interval=None)
    class NotifyToken:
        def get(self, case, context) -> str:  # noqa: ANN001
            # A fresh token for every request: Notify tokens are good for 30 seconds only.
            return tokens.token(sample_service.api_key)

        def set(self, case, token: str, context) -> None:  # noqa: ANN001
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

    failures: dict[str, str] = {}
    answered: Counter[str] = Counter()

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases = operation.as_strategy(generation_mode=mode)
            if mode is GenerationMode.POSITIVE:
                cases = st.tuples(cases, st.booleans()).map(with_real_ids(sample_service, notification_id))

            @given(case=cases)
            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def fuzz(case) -> None:  # noqa: ANN001 - a schemathesis Case
                response = case.call_and_validate(base_url=shared_api, checks=CHECKS)
                answered[f"{case.operation.label} {response.status_code}"] += 1

            try:
                fuzz()
            except Unsatisfiable:
                # Nothing about the request can be made invalid (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE and not operation.path_parameters and not operation.body
            except Exception as exc:  # noqa: BLE001 - every failure is collected and reported together
                failures[f"{operation.label} ({mode.value})"] = f"{type(exc).__name__}: {exc}"

    assert failures == {}, answered
    # The run reached the success paths, not only the error ones.
    assert {"POST /v2/notifications/sms 201", "POST /v2/notifications/email 201", "GET /v2/template/{template_id} 200",
            "POST /v2/template/{template_id}/preview 200", "GET /v2/notifications/{notification_id} 200",
            } <= set(answered), answered
