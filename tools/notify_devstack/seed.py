"""The demo service that `make run` prints: live (not trial), a normal key, one template per channel.

Idempotent: a second run finds the service and rebuilds the key string from its stored secret.
"""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from notify_shared import provisioning
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.models import ApiKey, Service, Template

DEMO_SERVICE_NAME = "Demo service"
DEMO_KEY_NAME = "demo"
DEMO_PERMISSIONS = ["sms", "email", "letter", "international_sms"]
DEMO_TEMPLATES = {
    "sms": {"name": "Demo text message", "content": "Hello ((name)), this is notify."},
    "email": {"name": "Demo email", "subject": "Hello ((name))",
              "content": "Dear ((name)),\n\nThis email came through notify."},
    "letter": {"name": "Demo letter", "subject": "A letter for ((name))",
               "content": "Dear ((name)),\n\nThis letter came through notify."},
}


def seed_demo(db: Database, box: SecretBox) -> dict:
    with db.session() as session:
        service = session.scalar(select(Service).where(Service.name == DEMO_SERVICE_NAME))
        if service is None:
            service = provisioning.create_service(session, name=DEMO_SERVICE_NAME, restricted=False,
                                                  permissions=list(DEMO_PERMISSIONS))
        else:
            service.restricted = False
            service.active = True
            service.permissions = sorted(set(service.permissions) | set(DEMO_PERMISSIONS))
        key = session.scalar(select(ApiKey).where(ApiKey.service_id == service.id, ApiKey.name == DEMO_KEY_NAME,
                                                  ApiKey.expiry_date.is_(None), ApiKey.key_type == "normal"))
        key_string = None
        if key is not None:
            try:
                key_string = f"{DEMO_KEY_NAME}-{service.id}-{box.decrypt(key.secret)}"
            except ValueError:
                key.expiry_date = provisioning.utcnow()  # stored with another SECRET_KEY: replace it
        if key_string is None:
            key_string = provisioning.create_api_key(session, box, service_id=service.id, name=DEMO_KEY_NAME).key
        templates: dict[str, str] = {}
        for template_type, spec in DEMO_TEMPLATES.items():
            template = session.scalar(select(Template).where(Template.service_id == service.id,
                                                             Template.name == spec["name"]))
            if template is None:
                template = provisioning.create_template(session, service_id=service.id, template_type=template_type,
                                                        **spec)
            templates[template_type] = str(template.id)
        return {"service_id": str(service.id), "api_key": key_string, "templates": templates}


def write_seed_file(path: Path, api_url: str, seed: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"api_url": api_url, **seed}, indent=2) + "\n")
    path.chmod(0o600)  # it holds a live API key


def example_snippet(seed_path: Path) -> str:
    return f"""\
  .venv/bin/python - <<'PY'
  import json, time
  from notifications_python_client.notifications import NotificationsAPIClient
  seed = json.load(open("{seed_path}"))
  client = NotificationsAPIClient(seed["api_key"], base_url=seed["api_url"])
  sent = client.send_sms_notification(phone_number="07700900123", template_id=seed["templates"]["sms"],
                                      personalisation={{"name": "Ada"}})
  for _ in range(20):
      status = client.get_notification_by_id(sent["id"])["status"]
      print(status)
      if status == "delivered":
          break
      time.sleep(0.5)
  PY"""
