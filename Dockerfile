# Balie's container image: one image for every role (app node, worker, migrate, mail poller).
#
#   docker build -t balie .
#   docker run --rm --env-file deploy/balie.env -p 8000:8000 balie            # an app node
#   docker run --rm --env-file deploy/balie.env balie worker                   # a task worker
#
# The reference topology that uses it is docker-compose.yml (docs/operations/scale-out.md).
# No secret is baked in: every setting comes from the environment at run time.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# --- nlds: the NL Design System component CSS, from frontend/package-lock.json -------------
# npm ci without install scripts, then frontend/build.mjs collects the pinned packages' CSS
# into the static file the pages link (decision 0036); a failed install fails the build.
FROM ${NODE_IMAGE} AS nlds
WORKDIR /src
COPY frontend/package.json frontend/package-lock.json frontend/build.mjs ./frontend/
RUN cd frontend && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
    && node build.mjs

# --- build: install Balie and its pinned runtime dependencies into a venv -------------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/balie

WORKDIR /src
# What the package build reads; tests, docs and the benchmark stay out (.dockerignore).
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY src ./src
COPY --from=nlds /src/src/balie/web/static/balie/nlds/ ./src/balie/web/static/balie/nlds/

# Runtime dependencies only (not the test extra), every version from constraints.txt, as the
# Makefile installs them. Non-editable: the package ends up in the venv's site-packages.
RUN /opt/balie/bin/pip install -c constraints.txt . \
    && /opt/balie/bin/pip check

# The message catalogues (.po → .mo) inside the installed package, where LOCALE_PATHS points
# (balie/locale); pure Python, no GNU gettext (decision 0019). Fails when none are installed.
RUN locale_dir="$(/opt/balie/bin/python -c 'import balie, pathlib; print(pathlib.Path(balie.__file__).parent / "locale")')" \
    && /opt/balie/bin/python -m balie.ops.catalogues "$locale_dir" \
    && ls "$locale_dir"/nl/LC_MESSAGES/django.mo "$locale_dir"/en/LC_MESSAGES/django.mo

# --- runtime: the venv, tini as PID 1, an unprivileged user ---------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# tini is PID 1: it passes SIGTERM on to `balie` (which then drains, docs/operations/
# scale-out.md) and reaps orphaned children.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid/gid, so volume ownership and runAsNonRoot checks are predictable.
RUN groupadd --system --gid 10001 balie \
    && useradd --system --uid 10001 --gid balie --home-dir /var/lib/balie \
        --no-create-home --shell /usr/sbin/nologin balie \
    && install -d -o balie -g balie -m 0750 /var/lib/balie

COPY --from=build /opt/balie /opt/balie

ENV PATH=/opt/balie/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BALIE_DATA_DIR=/var/lib/balie \
    BALIE_LOG_FORMAT=json

# SQLite (single-container use), local files and the import staging folder. With PostgreSQL
# and object storage it holds only the imports awaiting review: keep it on an encrypted disk.
VOLUME ["/var/lib/balie"]
WORKDIR /var/lib/balie
USER 10001:10001

EXPOSE 8000

# Liveness of an app node: /healthz answers without touching the database. Django answers 400
# to a Host it does not know, so the check sends the first name of BALIE_ALLOWED_HOSTS (a
# leading dot, as in ".example.nl", is a wildcard: the bare domain matches it too). Port 8000,
# as in CMD. Containers of this image that serve no HTTP (workers, migrate) turn it off in
# docker-compose.yml.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('BALIE_ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

ENTRYPOINT ["/usr/bin/tini", "--", "balie"]
CMD ["serve", "--no-worker", "--host", "0.0.0.0", "--port", "8000"]
