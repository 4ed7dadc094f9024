# gunicorn settings of the production image (docker-compose.yml):
# GUNICORN_WORKERS processes serve trytond.application:app; each loads the
# pool of the databases of TRYTOND_DATABASE_NAMES at start.
import csv
import io
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
# No control socket (gunicornc, gunicorn ≥ 25.1): the container is run by
# its signals; the socket's server is a thread of the master, stopped and
# started again around each fork of a worker, and every gunicorn of a host
# shares its default path (~/.gunicorn/gunicorn.ctl).
control_socket_disable = True

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


# gunicorn stops altogether when a worker fails to boot. trytond.application
# loads the pools of TRYTOND_DATABASE_NAMES at import, and fails the boot
# when a database cannot be reached (its connection pool's threads are
# left running). So one worker replaced while PostgreSQL was down (recycled
# after max_requests, or dead) stopped the whole server for good. Each
# worker therefore loads those pools itself before the application is
# imported; a database it cannot reach is loaded by its first request.
def post_fork(server, worker):
    names = os.environ.pop('TRYTOND_DATABASE_NAMES', None)
    try:
        import trytond.application  # noqa: F401
    finally:
        if names is not None:
            os.environ['TRYTOND_DATABASE_NAMES'] = names
    if names:
        _load_databases(server.log, next(csv.reader(io.StringIO(names))))


def _load_databases(log, names):
    from trytond import backend
    from trytond.pool import Pool
    for name in names:
        try:
            Pool(name).init()
        except Exception as exception:
            # Pool(name) listed the database, with nothing loaded.
            Pool.stop(name)
            log.warning('Database "%s" not loaded (%s): its first request '
                'loads it', name, exception)
        finally:
            backend.Database(name).close()
