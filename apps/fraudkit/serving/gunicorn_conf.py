"""gunicorn settings shared by every app image and by local serving.

Run: ``gunicorn --config python:fraudkit.serving.gunicorn_conf "app:create_app()"`` from the app folder with
``apps/`` on PYTHONPATH. ``FRAUDKIT_BIND`` overrides the address (the image listens on all interfaces; local
runs pass 127.0.0.1), ``FRAUDKIT_THREADS`` the thread count.
"""

import os

bind = os.environ.get("FRAUDKIT_BIND", "0.0.0.0:8502")

# With the in-process store one worker: the serving state (customer and terminal history, labels from
# /feedback) lives in the process, so several workers would each see only part of the stream; threads give the
# concurrency instead. With a shared store (FRAUDKIT_STATE_STORE=redis://...) one worker per CPU by default.
_shared_store = os.environ.get("FRAUDKIT_STATE_STORE", "").startswith(("redis://", "rediss://"))
workers = int(os.environ.get("FRAUDKIT_WORKERS") or ((os.cpu_count() or 1) if _shared_store else 1))
worker_class = "gthread"
threads = int(os.environ.get("FRAUDKIT_THREADS", "4"))

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
errorlog = "-"
loglevel = os.environ.get("FRAUDKIT_LOG_LEVEL", "info")
