"""Operators turn on send-a-file for a service with the `upload_document` permission."""
from __future__ import annotations

import uuid


def test_a_service_can_be_given_the_upload_document_permission(admin):
    response = admin.post("/services", {"name": f"Files {uuid.uuid4().hex[:8]}", "restricted": False,
                                        "permissions": ["email", "upload_document"]})
    service_id = response.json()["data"]["id"]

    updated = admin.post(f"/services/{service_id}", {"permissions": ["email"]})

    assert response.status_code == 201
    assert response.json()["data"]["permissions"] == ["email", "upload_document"]
    assert updated.json()["data"]["permissions"] == ["email"]
