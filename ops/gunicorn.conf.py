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

# PostgreSQL restarted: psycopg_pool, which trytond's connection pool is,
# tries to reconnect after 1, 2, 4, 8… seconds, up to its 5-minute
# reconnect_timeout. A database away for a minute thus left every worker
# answering 503 for up to another minute after it was back. Each worker
# now tries again at least every RECONNECT_DELAY seconds (a refused
# connection costs next to nothing).
RECONNECT_DELAY = float(os.environ.get('GUNICORN_RECONNECT_DELAY', '2'))


def _bounded_reconnection_delay():
    from psycopg_pool.base import AttemptWithBackoff
    update_delay = AttemptWithBackoff.update_delay
    if getattr(update_delay, 'bounded', False):
        return

    def bounded_update_delay(self, now):
        update_delay(self, now)
        self.delay = min(self.delay, RECONNECT_DELAY)
    bounded_update_delay.bounded = True
    AttemptWithBackoff.update_delay = bounded_update_delay


_bounded_reconnection_delay()
