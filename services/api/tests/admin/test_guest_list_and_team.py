"""The guest list and team members: who a trial-mode service or a team key may reach, stored normalised."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from notify_shared.admin_models import ServiceGuestList, ServiceTeamMember


def test_guests_are_stored_normalised_so_the_api_can_compare_them(admin, db):
    service = admin.create_service()
    path = f"/services/{service['id']}/guest-list"

    mobile = admin.post(path, {"recipient_type": "mobile", "recipient": "07700 900123"})
    email = admin.post(path, {"recipient_type": "email", "recipient": "Ada.Lovelace@Example.gov.uk"})

    assert (mobile.status_code, email.status_code) == (201, 201)
    with db.session() as session:
        rows = session.execute(select(ServiceGuestList.recipient_type, ServiceGuestList.recipient)
                               .where(ServiceGuestList.service_id == uuid.UUID(service["id"]))).all()
    assert sorted(tuple(r) for r in rows) == [("email", "ada.lovelace@example.gov.uk"), ("mobile", "447700900123")]


def test_adding_a_guest_twice_keeps_one_entry(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/guest-list"
    first = admin.post(path, {"recipient_type": "mobile", "recipient": "07700900123"})

    again = admin.post(path, {"recipient_type": "mobile", "recipient": "+44 7700 900123"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert len(admin.get(path).json()["data"]) == 1


def test_a_guest_with_an_invalid_recipient_is_refused_with_notifys_message(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/guest-list", {"recipient_type": "mobile", "recipient": "0770"})

    assert response.json()["errors"] == [{"error": "ValidationError", "message": "recipient Not enough digits"}]


def test_a_removed_guest_is_gone_and_other_services_guests_are_out_of_reach(admin):
    service, other = admin.create_service(), admin.create_service()
    entry = admin.post(f"/services/{service['id']}/guest-list",
                       {"recipient_type": "email", "recipient": "a@example.gov.uk"}).json()["data"]

    assert admin.delete(f"/services/{other['id']}/guest-list/{entry['id']}").status_code == 404
    assert admin.delete(f"/services/{service['id']}/guest-list/{entry['id']}").status_code == 204
    assert admin.get(f"/services/{service['id']}/guest-list").json()["data"] == []


def test_team_members_are_stored_normalised_and_unique_by_email(admin, db):
    service = admin.create_service()
    path = f"/services/{service['id']}/team-members"

    added = admin.post(path, {"name": "Ada", "email_address": "Ada@Example.gov.uk", "mobile_number": "07700900456"})
    duplicate = admin.post(path, {"name": "Ada again", "email_address": "ada@example.gov.uk"})

    assert added.status_code == 201
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"][0]["message"] == "ada@example.gov.uk is already a team member of this service"
    with db.session() as session:
        row = session.execute(select(ServiceTeamMember)
                              .where(ServiceTeamMember.service_id == uuid.UUID(service["id"]))).scalar_one()
    assert (row.name, row.email_address, row.mobile_number) == ("Ada", "ada@example.gov.uk", "447700900456")


def test_a_team_member_can_be_updated_and_removed(admin):
    service = admin.create_service()
    path = f"/services/{service['id']}/team-members"
    member = admin.post(path, {"name": "Ada", "email_address": "ada@example.gov.uk"}).json()["data"]

    updated = admin.post(f"{path}/{member['id']}", {"name": "Ada L", "mobile_number": "+447700900456"})
    removed = admin.delete(f"{path}/{member['id']}")

    assert (updated.json()["data"]["name"], updated.json()["data"]["mobile_number"]) == ("Ada L", "447700900456")
    assert removed.status_code == 204
    assert admin.get(path).json()["data"] == []


def test_a_team_member_needs_a_valid_mobile_number(admin):
    service = admin.create_service()

    response = admin.post(f"/services/{service['id']}/team-members",
                          {"name": "Ada", "email_address": "ada@example.gov.uk", "mobile_number": "07700 90045a"})

    assert response.json()["errors"] == [{"error": "ValidationError",
                                          "message": "mobile_number Must not contain letters or symbols"}]
