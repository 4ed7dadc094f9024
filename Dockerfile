# Production image of the housing billing suite: trytond with the suite's
# modules (pinned by constraints.txt), gunicorn, and the web client sao
# from the npm registry. One image for the web server, the queue worker
# and cron (docker-compose.yml chooses the command).

FROM node:20-bookworm-slim AS sao
ARG SAO_VERSION=8.0
WORKDIR /build
RUN npm pack --silent "tryton-sao@${SAO_VERSION}" \
    && tar xzf tryton-sao-*.tgz \
    && cd package \
    && npm install --silent --omit=dev --legacy-peer-deps --no-audit --no-fund

FROM python:3.11-slim-bookworm
# DejaVu Sans draws the Cyrillic of the receipts; the PostgreSQL client
# tools are for ops/backup.sh and ops/restore.sh.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/trytond --create-home trytond \
    && mkdir -p /var/lib/trytond/filestore /var/log/trytond \
    && chown trytond: /var/lib/trytond/filestore /var/log/trytond

WORKDIR /opt/housing
COPY pyproject.toml constraints.txt README.md ./
COPY housing_billing housing_billing
COPY housing_payment housing_payment
COPY housing_portal housing_portal
COPY l10n_ru_housing l10n_ru_housing
COPY ops ops
RUN pip install --no-cache-dir -c constraints.txt '.[production]'
COPY --from=sao /build/package /opt/sao

# Configuration by environment (TRYTOND_<SECTION>__<OPTION>): see
# docker-compose.yml and README.md, "Production".
ENV TRYTOND_WEB__ROOT=/opt/sao \
    TRYTOND_DATABASE__PATH=/var/lib/trytond/filestore \
    PYTHONUNBUFFERED=1
USER trytond
VOLUME /var/lib/trytond /var/log/trytond
EXPOSE 8000
CMD ["gunicorn", "--config", "/opt/housing/ops/gunicorn.conf.py", \
    "trytond.application:app"]
