# AutoMana Celery image (worker and beat share it; the compose file picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY celery_app ./celery_app
COPY config ./config
RUN pip install . && useradd --system --uid 10001 --home /app automana && mkdir -p /data && chown automana /data
USER automana
ENV DATA_DIR=/data
CMD ["automana", "worker", "--concurrency", "2"]
