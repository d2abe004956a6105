"""Sends cache templates per process (API_TEMPLATE_CACHE_SECONDS), but an edit through this process's admin API
applies to its very next send."""
from __future__ import annotations


def test_an_admin_edit_applies_to_the_next_send_at_once(admin, official_client):
    service = admin.create_service(permissions=["sms"], restricted=False)
    key = admin.post(f"/services/{service['id']}/api-keys", {"name": "k", "key_type": "test"}).json()["data"]
    template = admin.post(f"/services/{service['id']}/templates",
                          {"name": "T", "template_type": "sms", "content": "One ((name))"}).json()["data"]
    client = official_client(key["key"])
    first = client.send_sms_notification("07700900456", template["id"], {"name": "Ada"})

    admin.post(f"/services/{service['id']}/templates/{template['id']}", {"content": "Two ((name))"})
    second = client.send_sms_notification("07700900456", template["id"], {"name": "Ada"})

    assert (first["template"]["version"], first["content"]["body"]) == (1, "One Ada")
    assert (second["template"]["version"], second["content"]["body"]) == (2, "Two Ada")
