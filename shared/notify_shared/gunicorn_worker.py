"""A gunicorn gthread worker that answers health probes on its own event loop (DESIGN §5).

The incident this project exists for: gunicorn's gthread worker hands every accepted connection to
its thread pool, so a platform probe waits behind whatever the threads are doing. When slow requests
hold every thread, the probe misses Cloud Foundry's timeout and a healthy instance is killed (CF
gives a liveness check no second chance). gunicorn declines to let probes bypass its queue
(gunicorn issues #1417, #3222, #2467), so this worker does it:

- A new connection, or a kept-alive one that becomes readable, waits for its first bytes on the
  poller the worker already runs, not in a thread.
- The worker then peeks at the request (MSG_PEEK: nothing is consumed). A complete GET or HEAD for
  liveness (`/_status/live`, `/_status?simple=…`) is answered right there from memory, in
  microseconds. So is readiness, when a recent result of its background checks is at hand.
- Everything else goes to the thread pool exactly as in gthread, its bytes still unread.

Liveness also learns whether the request threads still make progress: when requests wait for the
pool and none has finished for HEARTBEAT_STALE_SECONDS, liveness says so and the platform restarts
the instance, which a TCP port check (GOV.UK Notify's workaround) could never see.

    worker_class = "notify_shared.gunicorn_worker.ProbeFirstWorker"

It finds the probes' HealthChecks as `health_checks` on the WSGI app (HealthMiddleware has it).
"""
from __future__ import annotations

import errno
import selectors
import socket
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from gunicorn.workers.gthread import DEFAULT_WORKER_DATA_TIMEOUT, TConn, ThreadWorker

from .config import Settings
from .health import LIVE, READY, HealthChecks, answer_probe, probe_kind, probe_response
from .metrics import EVENT_LOOP_LAG, PROBE_LATENCY, REQUEST_THREADS_IDLE_FOR

# A probe is a few hundred bytes; a request that does not fit in one peek is not one.
PEEK_BYTES = 4096
# Connections taken from the backlog per wake-up of the event loop.
ACCEPT_BATCH = 8
PROBE_SWITCH_INTERVAL = 0.001
# Linux's SO_TIMESTAMPNS (asm-generic/socket.h; the socket module does not name it): the kernel stamps
# each received packet, and accepted sockets inherit the option from the listener, so a peek also says
# when the request arrived and the event loop's lag can be measured exactly.
SO_TIMESTAMPNS = 35
_TIMESTAMP_SPACE = socket.CMSG_SPACE(16)
_PROBE_PREFIXES = (b"GET /_status", b"HEAD /_status")


@dataclass(frozen=True)
class ProbeRequest:
    kind: str
    method: str
    header_length: int
    keep_alive: bool


def parse_probe(data: bytes) -> ProbeRequest | None:
    """The liveness or readiness probe at the start of `data`, or None to leave the request to the threads.

    Only a complete, bodiless GET or HEAD qualifies. Anything partial or unusual takes the normal
    path, which handles every case correctly (only not ahead of the queue).
    """
    if not data.startswith(_PROBE_PREFIXES):
        return None
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = data[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1"):
        return None
    method, target, version = parts
    path, _, query = target.partition("?")
    kind = probe_kind(path, query)
    if kind not in (LIVE, READY):
        return None
    connection = ""
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if not sep or name == "transfer-encoding" or (name == "content-length" and value != "0"):
            return None
        if name == "connection":
            connection = value
    keep_alive = "keep-alive" in connection if version == "HTTP/1.0" else "close" not in connection
    return ProbeRequest(kind, method, end + 4, keep_alive)


class RequestProgress:
    """Do the request threads still finish requests while others wait for them?

    Written only from the worker's event loop (submit and finish both run there), read by liveness.
    """

    def __init__(self, stale_after: float, clock: Callable[[], float] = time.monotonic):
        self.stale_after = stale_after
        self.clock = clock
        self.in_pool = 0
        self._since = clock()

    def submitted(self) -> None:
        if self.in_pool == 0:
            self._since = self.clock()
        self.in_pool += 1

    def finished(self) -> None:
        self.in_pool = max(0, self.in_pool - 1)
        self._since = self.clock()

    def stalled_for(self) -> float:
        return self.clock() - self._since if self.in_pool else 0.0

    def stalled_reason(self) -> str | None:
        stalled = self.stalled_for()
        REQUEST_THREADS_IDLE_FOR.set(stalled)
        if stalled > self.stale_after:
            return f"no request finished for {stalled:.0f}s while {self.in_pool} were in the thread pool"
        return None


class ProbeFirstWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.health: HealthChecks | None = None
        self._timestamps = False
        self.progress = RequestProgress(Settings.from_env().heartbeat_stale_seconds)

    def run(self) -> None:
        health = getattr(self.wsgi, "health_checks", None)
        if not isinstance(health, HealthChecks):
            self.log.warning("ProbeFirstWorker: the app has no health_checks; probes wait for a thread")
        elif self.cfg.is_ssl:
            self.log.warning("ProbeFirstWorker: TLS is terminated here, so probes cannot be read early")
        else:
            self.health = health
            health.add_liveness_check("request_threads", self.progress.stalled_reason)
            self._timestamps = sys.platform == "linux"
            for listener in self.sockets if self._timestamps else ():
                try:
                    listener.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                except OSError:
                    self._timestamps = False
        super().run()

    def _peek(self, conn: TConn) -> bytes:
        """The request's first bytes, left unread; records how long they waited for the event loop."""
        if not self._timestamps:
            return conn.sock.recv(PEEK_BYTES, socket.MSG_PEEK)
        data, ancillary, _flags, _address = conn.sock.recvmsg(PEEK_BYTES, _TIMESTAMP_SPACE, socket.MSG_PEEK)
        for level, kind, stamp in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(stamp) >= 16:
                seconds, nanoseconds = struct.unpack("qq", stamp[:16])
                lag = max(0.0, time.time() - seconds - nanoseconds / 1e9)
                EVENT_LOOP_LAG.labels("probe" if data.startswith(_PROBE_PREFIXES) else "request").observe(lag)
        return data

    # ------------------------------------------------------------ connections wait on the poller

    def init_process(self) -> None:
        # Every step of the event loop needs the GIL, and a thread waiting for it gets it only after the
        # running thread's switch interval (5 ms by default), once per step. With ten busy request threads
        # that added up to hundreds of milliseconds per probe on a loaded machine; 1 ms keeps it to a few.
        sys.setswitchinterval(PROBE_SWITCH_INTERVAL)
        super().init_process()

    def accept(self, listener) -> None:  # noqa: ANN001 - gunicorn's signature
        if self.health is None:
            super().accept(listener)
            return
        # Take up to ACCEPT_BATCH waiting connections at once: each trip round the event loop costs a wait
        # for the GIL, and a probe may be behind a burst of other connections. (Not the whole backlog: the
        # other worker processes should get their share of a burst.)
        for _ in range(ACCEPT_BATCH):
            if self.nr_conns >= self.worker_connections:
                return
            try:
                client_sock, client_addr = listener.accept()
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                    raise
                return
            self.nr_conns += 1
            conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())  # non-blocking from here
            # The request has usually arrived with the connection: decide now rather than after another
            # trip round the event loop.
            if not self._answer_or_enqueue(conn, first=True):
                # gthread would give a thread this long to receive the request; the poller waits instead.
                conn.timeout = time.monotonic() + DEFAULT_WORKER_DATA_TIMEOUT + self.cfg.keepalive
                self.pending_conns.append(conn)
                self.poller.register(conn.sock, selectors.EVENT_READ,
                                     partial(self.on_pending_socket_readable, conn))

    def on_pending_socket_readable(self, conn, client) -> None:  # noqa: ANN001
        if self.health is None:
            super().on_pending_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.pending_conns.remove(conn)
        self._answer_or_enqueue(conn)

    def on_client_socket_readable(self, conn, client) -> None:  # noqa: ANN001
        if self.health is None:
            super().on_client_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._answer_or_enqueue(conn)

    # ------------------------------------------------------------ probes on the event loop

    def _answer_or_enqueue(self, conn: TConn, *, first: bool = False) -> bool:
        """Answer a probe here or hand the request to the threads; False if no bytes have arrived yet.

        `first` is the peek straight after accept, when the request may still be on its way: then the
        caller waits for it on the poller. Otherwise the socket was reported readable.
        """
        # An exception here would end the worker's event loop, and with it every connection it holds.
        try:
            started = time.perf_counter()
            try:
                data = self._peek(conn)
            except (BlockingIOError, InterruptedError):
                if first:
                    return False
                data = None
            if data == b"":
                self._close(conn)  # the client left before sending a request
                return True
            conn.data_ready = True
            probe = parse_probe(data) if data else None
            answer = answer_probe(self.health, probe.kind, wait=False) if probe else None
            if probe is None or answer is None:
                self.enqueue_req(conn)
                return True
            self._respond(conn, probe, *answer)
            PROBE_LATENCY.labels(probe.kind, "event-loop").observe(time.perf_counter() - started)
        except OSError:
            self._close(conn)
        except Exception:
            self.log.exception("ProbeFirstWorker: error answering a probe")
            self._close(conn)
        return True

    def _respond(self, conn: TConn, probe: ProbeRequest, ok: bool, body: dict) -> None:
        status, headers, payload = probe_response(ok, body)
        keep_alive = (probe.keep_alive and self.alive and self.cfg.keepalive > 0
                      and len(self.keepalived_conns) < self.max_keepalived)
        lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers),
                 f"Connection: {'keep-alive' if keep_alive else 'close'}"]
        response = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if probe.method != "HEAD":
            response += payload
        # Take the peeked request off the socket; it is already in the receive buffer, so this never blocks.
        remaining = probe.header_length
        while remaining:
            chunk = conn.sock.recv(remaining)
            if not chunk:
                raise ConnectionResetError("client closed while its probe was read")
            remaining -= len(chunk)
        # An empty send buffer takes a few hundred bytes at once; a client that cannot take them is dropped
        # rather than waited for on the event loop.
        if conn.sock.send(response) != len(response):
            self._close(conn)
            return
        if not keep_alive:
            self._close(conn)
            return
        conn.set_timeout()
        self.keepalived_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn))

    def _close(self, conn: TConn) -> None:
        self.nr_conns -= 1
        conn.close()

    # ------------------------------------------------------------ progress of the request threads

    def enqueue_req(self, conn) -> None:  # noqa: ANN001
        self.progress.submitted()
        super().enqueue_req(conn)

    def finish_request(self, conn, fs) -> None:  # noqa: ANN001
        self.progress.finished()
        super().finish_request(conn, fs)
