# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""One building's work in a savepoint: the chunks of accrual runs and of
receipt batches either finish or leave nothing behind and say why."""
from contextlib import contextmanager

from trytond import backend
from trytond.transaction import Transaction, TransactionError


class Outcome:
    "The error of the work, None when it succeeded"
    error = None


@contextmanager
def attempt(name):
    """Run the block in the savepoint name: an exception rolls back to it
    and is kept as the outcome's error, except the database's operational
    errors and trytond's transaction errors (a lock to take at the start),
    which the queue retries with the whole transaction."""
    connection = Transaction().connection
    cursor = connection.cursor()
    if getattr(connection, 'in_transaction', True) is False:
        # SQLite: a savepoint outside a transaction would be one, and
        # releasing it would commit.
        cursor.execute('BEGIN')
    cursor.execute('SAVEPOINT %s' % name)
    outcome = Outcome()
    try:
        yield outcome
    except (backend.DatabaseOperationalError, TransactionError):
        raise
    except Exception as exception:
        cursor.execute('ROLLBACK TO SAVEPOINT %s' % name)
        outcome.error = str(exception) or repr(exception)
    else:
        cursor.execute('RELEASE SAVEPOINT %s' % name)


def together_or_alone(items, work):
    """work(items), else work([item]) for each item: so that one item that
    fails does not fail the others (work returns whether it worked)."""
    if not work(items) and len(items) > 1:
        for item in items:
            work([item])
