"""The Flask application factory for the public API."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from notify_shared.bus import Bus
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.documents.store import document_store
from notify_shared.health import HealthChecks, readiness_budget_seconds
from notify_shared.letters.store import pdf_store_from_env
from notify_shared.logging import configure_logging, get_logger

from . import request_context
from .admin import register_admin_api
from .api_keys import CredentialsCache
from .breaker import CooldownBreaker
from .config import ApiSettings
from .context import EXTENSION_NAME, ApiContext
from .documents.download import documents_blueprint
from .errors import register_error_handlers
from .limits.store import LimitStore
from .notifications.template_cache import TemplateCache
from .v2 import openapi_blueprint, v2_blueprint

log = get_logger(__name__)


def build_context(settings: ApiSettings) -> ApiContext:
    shared = settings.shared
    db = Database(shared, pool_size=settings.db_pool_size, application_name=shared.service_name)
    bus = Bus(shared)
    box = SecretBox(shared.secret_key)
    health = HealthChecks(
        build=shared.build,
        checks={"database": db.ping, "bus": bus.ping},
        db_version=db.alembic_version,
        # Half the platform's probe timeout, so a slow dependency is reported before the probe gives up.
        budget_seconds=readiness_budget_seconds(shared.healthcheck_timeout_seconds),
    )
    limits = None
    if settings.redis_enabled:
        limits = LimitStore(shared.redis_url, timeout_seconds=settings.redis_timeout_seconds,
                            breaker=CooldownBreaker(settings.redis_breaker_seconds),
                            key_prefix=settings.redis_key_prefix)
    return ApiContext(settings=settings, db=db, bus=bus, secret_box=box,
                      credentials=CredentialsCache(db, box, settings.api_key_cache_seconds), health=health,
                      publish_breaker=CooldownBreaker(settings.publish_breaker_seconds), limits=limits,
                      letter_pdfs=pdf_store_from_env(), templates=TemplateCache(settings.template_cache_seconds),
                      documents=document_store(bucket=settings.documents_bucket,
                                               directory=settings.document_store_dir,
                                               endpoint_url=settings.documents_s3_endpoint_url))


def create_app(settings: ApiSettings | None = None) -> Flask:
    settings = (settings or ApiSettings.from_env()).validate()
    configure_logging(settings.shared.service_name, settings.shared.log_format, settings.shared.log_level)

    app = Flask("notify_api", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    app.json.sort_keys = False
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]

    context = build_context(settings)
    app.extensions[EXTENSION_NAME] = context

    request_context.install(app, service_name=settings.shared.service_name)
    register_error_handlers(app, max_content_length=settings.max_content_length,
                            db_retry_after_seconds=settings.shared.db_pool_timeout_seconds)
    app.register_blueprint(v2_blueprint)
    app.register_blueprint(openapi_blueprint)
    app.register_blueprint(documents_blueprint)
    register_admin_api(app)
    log.info("api_created", settings=settings.redacted())
    return app
