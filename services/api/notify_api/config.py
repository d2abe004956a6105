"""The API's settings: the shared Settings plus the web-server and API knobs, read from the environment once.

gunicorn_config.py and create_app() both read this, so a manifest's `env:` block is the one place to tune
workers, threads, timeouts, the database pool and request limits.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from notify_shared.config import Settings, _bool, _env, _float, _int
from notify_shared.letters.collation import DEFAULT_LETTER_COLLATION_TIME, CollationTime

DEFAULT_PORT = 6011
# Notify's own page size for GET /v2/notifications and received texts.
DEFAULT_PAGE_SIZE = 250
# Send-a-file uploads arrive as ~2.8 MB of base64 inside a JSON body; the client contract asks for
# "at least a few MB".
DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024


def default_max_in_flight(threads: int, pool_size: int) -> int:
    """Requests let into the app at once: the pool's connections plus a short queue for them, while always
    leaving threads free to answer shed requests at once (notify_shared.shedding)."""
    return max(1, min(pool_size + max(1, pool_size // 4), threads - max(1, threads // 4)))


@dataclass(frozen=True)
class ApiSettings:
    shared: Settings

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT

    # gthread: on a 2-core box 2 workers x 8 threads matched 4 x 4 on throughput with a better p99
    # (reference/intake-floor.md).
    gunicorn_workers: int = 2
    gunicorn_threads: int = 8
    gunicorn_timeout_seconds: int = 30
    gunicorn_graceful_timeout_seconds: int = 30
    gunicorn_keepalive_seconds: int = 2
    gunicorn_backlog: int = 2048
    gunicorn_max_requests: int = 0
    gunicorn_max_requests_jitter: int = 0
    gunicorn_control_socket: str = ""

    # One pooled connection per request thread, so a thread never waits for another's connection;
    # excess load then queues in the kernel backlog instead of inside the app.
    db_pool_size: int = 8

    max_content_length: int = DEFAULT_MAX_CONTENT_LENGTH
    page_size: int = DEFAULT_PAGE_SIZE
    api_key_cache_seconds: float = 10.0
    # Templates used by sends, per process (notifications/template_cache.py): an edit made through another
    # process applies within this many seconds. 0 reads the template on every send.
    template_cache_seconds: float = 5.0
    trusted_proxies: int = 0
    # After a failed publish, skip publishing this long (rows wait as `created` for the replay job).
    publish_breaker_seconds: float = 5.0

    notify_email_domain: str = "notifications.service.gov.uk"
    default_sms_sender: str = "GOVUK"
    sms_rate_pounds: float = 0.0227
    # The daily letter cut-off the sender and scheduler use; estimated_delivery counts from it.
    letter_collation: CollationTime = CollationTime.parse(DEFAULT_LETTER_COLLATION_TIME)

    # Rate and daily limits live in Redis (shared by every API instance). When Redis cannot be reached
    # the API lets requests through, as Notify does; the timeout bounds what each request can lose to it
    # and the breaker stops every request paying that timeout while Redis is down.
    redis_enabled: bool = True
    redis_key_prefix: str = ""
    redis_timeout_seconds: float = 0.25
    redis_breaker_seconds: float = 5.0

    # Load shedding and early probes (notify_shared.shedding, notify_shared.gunicorn_worker). The two
    # switches exist for the incident drill's naive run (bench/drill.py); `make check-deploy` keeps them on.
    shed_load: bool = True
    max_in_flight: int = 6
    max_slow_reads: int = 1
    probe_fast_path: bool = True

    # Send a file by email (notify_api.documents, docs/send-files-by-email.md). Links are
    # <DOCUMENT_DOWNLOAD_BASE_URL>/d/<service_id>/<document_id>?key=...; empty means the API's own origin,
    # which serves the downloads. Files go to DOCUMENTS_BUCKET (S3, S3_ENDPOINT_URL for an S3-compatible
    # service) when set, otherwise to the DOCUMENT_STORE_DIR directory.
    document_download_base_url: str = ""
    documents_bucket: str = ""
    document_store_dir: str = "var/documents"
    documents_s3_endpoint_url: str = ""

    @classmethod
    def from_env(cls, shared: Settings | None = None) -> ApiSettings:
        shared = shared or Settings.from_env(_env("NOTIFY_SERVICE_NAME", "api"))
        threads = _int("GUNICORN_THREADS", 8)
        return cls(
            shared=shared,
            host=_env("HOST", "127.0.0.1"),
            port=_int("PORT", DEFAULT_PORT),
            gunicorn_workers=_int("GUNICORN_WORKERS", 2),
            gunicorn_threads=threads,
            gunicorn_timeout_seconds=_int("GUNICORN_TIMEOUT_SECONDS", 30),
            gunicorn_graceful_timeout_seconds=_int("GUNICORN_GRACEFUL_TIMEOUT_SECONDS", 30),
            gunicorn_keepalive_seconds=_int("GUNICORN_KEEPALIVE_SECONDS", 2),
            gunicorn_backlog=_int("GUNICORN_BACKLOG", 2048),
            gunicorn_max_requests=_int("GUNICORN_MAX_REQUESTS", 0),
            gunicorn_max_requests_jitter=_int("GUNICORN_MAX_REQUESTS_JITTER", 0),
            gunicorn_control_socket=os.environ.get("GUNICORN_CONTROL_SOCKET", ""),
            db_pool_size=_int("DB_POOL_SIZE", threads),
            max_content_length=_int("API_MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH),
            page_size=_int("API_PAGE_SIZE", DEFAULT_PAGE_SIZE),
            api_key_cache_seconds=_float("API_KEY_CACHE_SECONDS", 10.0),
            template_cache_seconds=_float("API_TEMPLATE_CACHE_SECONDS", 5.0),
            trusted_proxies=_int("API_TRUSTED_PROXIES", 0),
            publish_breaker_seconds=_float("API_PUBLISH_BREAKER_SECONDS", 5.0),
            notify_email_domain=_env("NOTIFY_EMAIL_DOMAIN", "notifications.service.gov.uk"),
            default_sms_sender=_env("FROM_NUMBER", "GOVUK"),
            sms_rate_pounds=_float("SMS_RATE_POUNDS", 0.0227),
            letter_collation=CollationTime.parse(_env("LETTER_COLLATION_TIME", DEFAULT_LETTER_COLLATION_TIME)),
            redis_enabled=_bool("REDIS_ENABLED", True),
            redis_key_prefix=os.environ.get("REDIS_KEY_PREFIX", ""),
            redis_timeout_seconds=_float("REDIS_TIMEOUT_SECONDS", 0.25),
            redis_breaker_seconds=_float("REDIS_BREAKER_SECONDS", 5.0),
            shed_load=_bool("API_SHED_LOAD", True),
            max_in_flight=(in_flight := _int("API_MAX_IN_FLIGHT",
                                             default_max_in_flight(threads, _int("DB_POOL_SIZE", threads)))),
            max_slow_reads=_int("API_MAX_SLOW_READS", max(1, in_flight // 4)),
            probe_fast_path=_bool("GUNICORN_PROBE_FAST_PATH", True),
            document_download_base_url=os.environ.get("DOCUMENT_DOWNLOAD_BASE_URL", "").strip(),
            documents_bucket=os.environ.get("DOCUMENTS_BUCKET", "").strip(),
            document_store_dir=_env("DOCUMENT_STORE_DIR", "var/documents"),
            documents_s3_endpoint_url=os.environ.get("S3_ENDPOINT_URL", "").strip(),
        )

    def validate(self) -> ApiSettings:
        """Refuse to start with values that would only fail later under load."""
        problems = []
        if self.gunicorn_workers < 1 or self.gunicorn_threads < 1:
            problems.append("GUNICORN_WORKERS and GUNICORN_THREADS must be at least 1")
        if self.page_size < 1:
            problems.append("API_PAGE_SIZE must be at least 1")
        if self.max_content_length < 1024:
            problems.append("API_MAX_CONTENT_LENGTH must be at least 1024 bytes")
        if self.db_pool_size < 1:
            problems.append("DB_POOL_SIZE must be at least 1")
        if self.redis_timeout_seconds <= 0:
            problems.append("REDIS_TIMEOUT_SECONDS must be positive")
        if self.shed_load and not 1 <= self.max_in_flight < self.gunicorn_threads:
            problems.append("API_MAX_IN_FLIGHT must be at least 1 and below GUNICORN_THREADS, so a shed request "
                            "finds a thread to answer it at once")
        if self.shed_load and self.max_in_flight > 1 and not 1 <= self.max_slow_reads < self.max_in_flight:
            problems.append("API_MAX_SLOW_READS must be at least 1 and below API_MAX_IN_FLIGHT, so slow reads "
                            "cannot take every place")
        if self.document_download_base_url and not self.document_download_base_url.startswith(("https://",
                                                                                                "http://")):
            problems.append("DOCUMENT_DOWNLOAD_BASE_URL must be an http(s) URL")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def redacted(self) -> dict[str, object]:
        own = {k: v for k, v in self.__dict__.items() if k != "shared"}
        return {**self.shared.redacted(), **own}
