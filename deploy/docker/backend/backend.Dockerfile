# AutoMana API image. Build from the repository root:
#   docker build -f deploy/docker/backend/backend.Dockerfile -t automana-backend .
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY celery_app ./celery_app
COPY config ./config
RUN pip install . && useradd --system --uid 10001 --home /app automana && mkdir -p /data && chown automana /data
USER automana
ENV DATA_DIR=/data
EXPOSE 8000
# The image has no curl: the health check uses Python's standard library.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["automana", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
