"""gunicorn settings shared by every app image and by local serving.

Run: ``gunicorn --config python:fraudkit.serving.gunicorn_conf "app:create_app()"`` from the app folder with
``apps/`` on PYTHONPATH. ``FRAUDKIT_BIND`` overrides the address (the image listens on all interfaces; local
runs pass 127.0.0.1), ``FRAUDKIT_WORKER_CONNECTIONS`` the connections one worker holds at once.
"""

import os

bind = os.environ.get("FRAUDKIT_BIND", "0.0.0.0:8502")

# With the in-process store one worker: the serving state (customer and terminal history, labels from
# /feedback) lives in the process, so several workers would each see only part of the stream. With a shared
# store (FRAUDKIT_STATE_STORE=redis://...) one worker per CPU by default; FRAUDKIT_WORKERS overrides both.
_shared_store = os.environ.get("FRAUDKIT_STATE_STORE", "").startswith(("redis://", "rediss://"))
workers = int(os.environ.get("FRAUDKIT_WORKERS") or ((os.cpu_count() or 1) if _shared_store else 1))
# gevent: every connection is a greenlet, so slow clients cost a greenlet each instead of one of a few threads
# (four slowloris connections froze the former gthread worker's /health). Heads must arrive within `keepalive`
# seconds (the gevent worker's read timeout); bodies within fraudkit.serving.slow_clients.BODY_TIMEOUT_SECONDS.
# Scoring is CPU-bound and runs on the event loop one request at a time; the model libraries use their own
# native threads inside a call.
worker_class = "gevent"
worker_connections = int(os.environ.get("FRAUDKIT_WORKER_CONNECTIONS", "1000"))

# Load the model in a thread so /health answers 503 while it loads (see fraudkit.serving.model_holder).
# OpenMP threads are left to the libraries' default (OMP_NUM_THREADS is honoured if set): bench_serving.py
# --omp-threads 1 vs 2 showed no consistent difference on the shared 2-core machine.
raw_env = ["FRAUDKIT_LOAD=background"]

timeout = 60
graceful_timeout = 20
keepalive = 5
# Bounded request heads: the body limit is the app's (MAX_BODY_BYTES).
limit_request_line = 4094
limit_request_fields = 50
accesslog = "-"
# No %(u)s (a Basic-auth user name) and the path without its query string: no credential or query reaches the log.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("FRAUDKIT_LOG_LEVEL", "info")
