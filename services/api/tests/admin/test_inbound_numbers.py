"""Inbound numbers: a pool of numbers, each assigned to one service, which then texts from it."""
from __future__ import annotations

import random
import uuid


def a_number() -> str:
    return f"4477009{random.randint(10000, 99999)}"


def test_an_assigned_number_becomes_the_services_default_sender(admin):
    service = admin.create_service()
    number = admin.post("/inbound-numbers", {"number": "+" + a_number(), "provider": "mmg"})
    assert number.status_code == 201
    number = number.json()["data"]

    assigned = admin.post(f"/inbound-numbers/{number['id']}/assign", {"service_id": service["id"]})
    senders = admin.get(f"/services/{service['id']}/sms-senders").json()["data"]

    assert assigned.json()["data"]["service_id"] == service["id"]
    assert [(s["sms_sender"], s["is_default"], s["inbound_number_id"]) for s in senders] == [
        (number["number"], True, number["id"])]
    archive = admin.post(f"/services/{service['id']}/sms-senders/{senders[0]['id']}/archive")
    assert archive.json()["errors"][0]["message"] == "You cannot delete an inbound number"


def test_a_number_belongs_to_one_service_only(admin):
    first, second = admin.create_service(), admin.create_service()
    number = admin.post("/inbound-numbers", {"number": a_number(), "provider": "firetext"}).json()["data"]
    admin.post(f"/inbound-numbers/{number['id']}/assign", {"service_id": first["id"]})

    again = admin.post(f"/inbound-numbers/{number['id']}/assign", {"service_id": first["id"]})
    taken = admin.post(f"/inbound-numbers/{number['id']}/assign", {"service_id": second["id"]})

    assert again.status_code == 200
    assert (taken.status_code, taken.json()["errors"][0]["message"]) == (
        400, "Inbound number is already assigned to another service")


def test_only_free_active_numbers_are_listed_as_available(admin):
    free = admin.post("/inbound-numbers", {"number": a_number(), "provider": "mmg"}).json()["data"]
    inactive = admin.post("/inbound-numbers", {"number": a_number(), "provider": "mmg", "active": False}).json()["data"]

    available = [n["id"] for n in admin.get("/inbound-numbers?available=true").json()["data"]]
    everything = [n["id"] for n in admin.get("/inbound-numbers").json()["data"]]

    assert free["id"] in available and inactive["id"] not in available
    assert {free["id"], inactive["id"]} <= set(everything)


def test_numbers_are_unique_and_validated(admin):
    number = a_number()
    admin.post("/inbound-numbers", {"number": number, "provider": "mmg"})

    duplicate = admin.post("/inbound-numbers", {"number": "+" + number, "provider": "mmg"})
    invalid = admin.post("/inbound-numbers", {"number": "12ab", "provider": "pigeon"})

    assert duplicate.json()["errors"][0]["message"] == f"Inbound number {number} already exists"
    assert {e["message"] for e in invalid.json()["errors"]} == {
        "number must be 5 to 15 digits", "provider pigeon is not one of [mmg, firetext]"}


def test_assigning_unknown_numbers_or_to_unknown_services_is_404(admin):
    service = admin.create_service()
    number = admin.post("/inbound-numbers", {"number": a_number(), "provider": "mmg"}).json()["data"]

    assert admin.post(f"/inbound-numbers/{uuid.uuid4()}/assign", {"service_id": service["id"]}).status_code == 404
    assert admin.post(f"/inbound-numbers/{number['id']}/assign", {"service_id": str(uuid.uuid4())}).status_code == 404
