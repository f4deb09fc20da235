"""gunicorn settings shared by every app image and by local serving.

Run: ``gunicorn --config python:fraudkit.serving.gunicorn_conf "app:create_app()"`` from the app folder with
``apps/`` on PYTHONPATH. ``FRAUDKIT_BIND`` overrides the address (the image listens on all interfaces; local
runs pass 127.0.0.1), ``FRAUDKIT_THREADS`` the thread count.
"""

import os

bind = os.environ.get("FRAUDKIT_BIND", "0.0.0.0:8502")

# One worker: the serving state (customer and terminal history, labels from /feedback) lives in the process,
# so several workers would each see only part of the stream. Threads give the concurrency instead; the model
# libraries release the GIL while they compute.
workers = 1
worker_class = "gthread"
threads = int(os.environ.get("FRAUDKIT_THREADS", "4"))

# Load the model in a thread so /health answers 503 while it loads (see fraudkit.serving.model_holder).
# One OpenMP thread per request: the gunicorn threads already give the concurrency, and OpenMP teams fighting
# for busy cores made XGBoost's 1-transaction predict 40x slower (apps/benchmark/bench_serving.py).
raw_env = ["FRAUDKIT_LOAD=background", f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '1')}"]

timeout = 60
graceful_timeout = 20
keepalive = 5
# Bounded request heads: the body limit is the app's (MAX_BODY_BYTES).
limit_request_line = 4094
limit_request_fields = 50
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("FRAUDKIT_LOG_LEVEL", "info")
