# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The charges of an accrual run computed by worker processes.

Loading the snapshots and the kernel take a core each for a month of a
city (bench/RESULTS.md): with [housing] compute_processes = N (PostgreSQL
only), N processes each read and compute chunks of accounts in read-only
transactions of their own while the run's process writes the rows they
return, in the order of the chunks. The worker processes see the committed
data: the housing stock, readings and posted runs a run reads."""
import multiprocessing
import os
from contextlib import contextmanager

from trytond import backend, config
from trytond.pool import Pool
from trytond.transaction import Transaction

from .loader import SnapshotLoader

# The worker's own: what its initializer was given, its loader.
_worker = {}


def processes():
    "How many worker processes compute a run (0 or 1: none)."
    if backend.name != 'postgresql':
        return 0
    return config.getint('housing', 'compute_processes', default=0)


def compute(run, chunks):
    """Yield (charge rows, anomalies) of each chunk (list of account ids)
    of run, computed by the worker processes."""
    transaction = Transaction()
    state = {
        'database': transaction.database.name,
        'user': transaction.user,
        'context': {k: v for k, v in transaction.context.items()
            if isinstance(v, (str, int, bool, list, tuple, type(None)))},
        'run': run.id,
        'company': run.company.id,
        'period': run.period,
        }
    context = multiprocessing.get_context('spawn')
    # trytond reads its configuration, and chooses its backend, when it is
    # imported: the workers get it in their environment.
    with environment(configuration_environ()):
        workers = context.Pool(processes(), initializer=start_worker,
            initargs=(state,))
    with workers:
        yield from workers.imap(compute_chunk, chunks)


@contextmanager
def environment(variables):
    "os.environ with variables set for the time of the block"
    saved = dict(os.environ)
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def configuration_environ():
    """The TRYTOND_SECTION__OPTION variables of trytond's configuration in
    force (sections with a space in their name left out)."""
    # trytond.config lists the options of a section, not the sections.
    return {'TRYTOND_%s__%s' % (section.upper(), option.upper()):
            config.get(section, option)
        for section in config._config.sections() if ' ' not in section
        for option in config.options(section)
        if config.get(section, option) is not None}


def start_worker(state):
    "Load the pool of the run's database."
    Pool.start()
    Pool(state['database']).init()
    _worker.update(state)


def compute_chunk(account_ids):
    "(charge rows, anomalies) of the accounts, as Run.compute_accounts"
    pool = Pool(_worker['database'])
    with Transaction().start(_worker['database'], _worker['user'],
            readonly=True, context=_worker['context']):
        Run = pool.get('housing.accrual.run')
        Account = pool.get('housing.account')
        Company = pool.get('company.company')
        # The run is not committed yet: it is given its fields.
        run = Run(_worker['run'], company=_worker['company'],
            period=_worker['period'])
        if 'loader' not in _worker:
            _worker['loader'] = SnapshotLoader(
                Company(_worker['company']), run.billing_period)
        return run.compute_accounts(
            Account.browse(account_ids), _worker['loader'])
