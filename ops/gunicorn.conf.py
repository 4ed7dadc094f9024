# gunicorn settings of the production image (docker-compose.yml):
# GUNICORN_WORKERS processes serve trytond.application:app; each loads the
# pool of the databases of TRYTOND_DATABASE_NAMES at start.
import os

bind = os.environ.get('GUNICORN_BIND', '0.0.0.0:8000')
workers = int(os.environ.get('GUNICORN_WORKERS', '4'))
# Long requests (reports, a wizard over many records) stay under this.
timeout = int(os.environ.get('GUNICORN_TIMEOUT', '300'))
# The requests of one worker are recycled to bound its memory.
max_requests = int(os.environ.get('GUNICORN_MAX_REQUESTS', '2000'))
max_requests_jitter = max_requests // 10
accesslog = '-'
errorlog = '-'
# Behind the reverse proxy: trust its X-Forwarded-* headers
# (trytond's [web] num_proxies does the same for trytond).
forwarded_allow_ips = os.environ.get('GUNICORN_FORWARDED_ALLOW_IPS', '*')
