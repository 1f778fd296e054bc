# One image for the web, worker and beat processes (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .

COPY . .
# collectstatic needs settings but no database or broker.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 app && chown -R app /app \
    && mkdir -p /srv/imports && chown app /srv/imports
USER app

EXPOSE 8000
CMD ["gunicorn", "compliance_center.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
