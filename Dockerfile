# syntax=docker/dockerfile:1
# Nudge: the web app is built with Node in the first stage; the API and the worker run from the
# same Python image (the compose file picks the command).

FROM node:20-alpine AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build


FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app
WORKDIR /app

# Dependencies first (a layer that changes only with pyproject.toml). Nudge itself runs from
# /app rather than site-packages: core.config finds frontend/dist and migrations beside it.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps))" \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY alembic.ini worker.py ./
COPY migrations/ migrations/
COPY core/ core/
COPY activities/ activities/
COPY workflows/ workflows/
COPY api/ api/
COPY scripts/ scripts/
COPY --from=frontend /build/frontend/dist/ frontend/dist/

RUN useradd --system --uid 10001 --home-dir /app nudge
USER nudge

EXPOSE 8000
# The API by default; the worker service runs `python worker.py`.
CMD ["uvicorn", "--factory", "api.main:create_app", "--host", "0.0.0.0", "--port", "8000"]
