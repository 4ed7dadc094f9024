# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Run Tryton's scenario doctests (tests/scenario_*.rst) as pytest items,
with the set-up and tear-down and the checker Tryton's own runner uses;
and set up trytond's test tools for two processes and for the in-memory
SQLite database (the functions below, run on import)."""
import doctest
import fcntl
import functools
import os
import unittest

import pytest


def _database_per_worker():
    """Each pytest-xdist worker tests on a PostgreSQL database of its own
    (SQLite's are in memory, one per process already). trytond's test tools
    read DB_NAME when they are imported, so this runs first."""
    worker = os.environ.get('PYTEST_XDIST_WORKER')
    name = os.environ.get('DB_NAME')
    if worker and name and name != ':memory:':
        os.environ['DB_NAME'] = '%s_%s' % (name, worker)


def _lock_database_cache():
    """The workers share the DB_CACHE directory: writing a cached database
    and reading one are serialised, so no worker restores a half-written
    copy."""
    cache = os.environ.get('DB_CACHE')
    if not cache or cache.startswith('postgresql://'):
        return
    from trytond.tests import test_tryton
    os.makedirs(cache, exist_ok=True)
    lock_path = os.path.join(cache, '.lock')

    def locked(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with open(lock_path, 'w') as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                return function(*args, **kwargs)
        return wrapper

    for name in ['_sqlite_copy', '_pg_dump', '_pg_restore']:
        setattr(test_tryton, name, locked(getattr(test_tryton, name)))


def _fresh_database_list():
    """trytond's test tools ask whether the test database exists through
    the backend's list of databases, which it caches for the session
    timeout; a stale answer would skip drop_db between test classes (and
    Cache.drop with it). A precaution: the leaks once blamed on it were
    Cache.sync's (see _no_cache_sync_in_memory). Ask afresh."""
    from trytond import backend
    from trytond.tests import test_tryton
    db_exist = test_tryton.db_exist

    @functools.wraps(db_exist)
    def wrapper(*args, **kwargs):
        backend.Database.clear_cache()
        return db_exist(*args, **kwargs)
    test_tryton.db_exist = wrapper


def _no_cache_sync_in_memory():
    """SQLite's in-memory test database is one connection for every
    transaction of the process. trytond's Cache.sync, run at a transaction's
    start once per [cache] clean_timeout (300 s), takes that connection in
    autocommit mode: the test's transaction, already started, then commits
    each statement and its rollback undoes nothing, so a test's records
    stayed for the next tests of its class, depending on the clock. One
    process needs no sync (a commit clears its caches itself)."""
    if os.environ.get('DB_NAME') != ':memory:':
        return
    from trytond import config
    config.set('cache', 'clean_timeout', str(10 ** 9))


_database_per_worker()
_lock_database_cache()
_fresh_database_list()
_no_cache_sync_in_memory()


def pytest_collect_file(parent, file_path):
    if file_path.suffix == '.rst' and file_path.name.startswith('scenario_'):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    def runtest(self):
        from trytond.backend import name as backend_name
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL,
            doctest_checker,
            doctest_setup,
            doctest_teardown,
        )
        flags = (doctest.REPORT_ONLY_FIRST_FAILURE | doctest.ELLIPSIS
            | doctest.IGNORE_EXCEPTION_DETAIL)
        if backend_name == 'sqlite':
            flags |= STRIP_DECIMAL
        cwd = os.getcwd()
        os.chdir(self.path.parent)
        try:
            suite = doctest.DocFileSuite(
                self.path.name, module_relative=False, globs={},
                setUp=doctest_setup, tearDown=doctest_teardown,
                encoding='utf-8', checker=doctest_checker,
                optionflags=flags)
            result = suite.run(unittest.TestResult())
        finally:
            os.chdir(cwd)
        if result.errors or result.failures:
            raise ScenarioFailure(
                '\n'.join(text for _, text in result.errors + result.failures))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, 'scenario: %s' % self.name


class ScenarioFailure(Exception):
    pass
