# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Rows written in bulk, as ModelSQL.create would write them but without a
query per record: COPY on PostgreSQL, multi-row INSERT on SQLite, in the
current transaction, with create_uid and create_date filled."""
import datetime as dt
from decimal import Decimal

from sql import Select, Table
from sql.functions import CurrentTimestamp
from trytond import backend
from trytond.transaction import Transaction

# SQLite takes at most 32,766 parameters per statement.
SQLITE_PARAMETERS = 30000


def as_money(value):
    "A sum read back from SQL (SQLite gives a float) as kopecks."
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal('0.01'))


def as_decimal(value):
    "A number read back from SQL (SQLite gives a float) as a Decimal."
    if value is None:
        return Decimal(0)
    return Decimal(str(value))


def as_date(value):
    "A date read back from SQL (SQLite may give text)."
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def now():
    "The transaction's CURRENT_TIMESTAMP, as the ORM stores it."
    cursor = Transaction().connection.cursor()
    if backend.name == 'postgresql':
        cursor.execute('SELECT CAST(CURRENT_TIMESTAMP AS TIMESTAMP)')
    else:
        cursor.execute(*Select([CurrentTimestamp()]))
    value, = cursor.fetchone()
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value


def allocate_ids(table, count):
    """count new ids for table (its name), drawn as the ORM draws them:
    from the table's sequence on PostgreSQL, after the highest id used on
    SQLite (AUTOINCREMENT then follows the ids inserted)."""
    if not count:
        return []
    cursor = Transaction().connection.cursor()
    if backend.name == 'postgresql':
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)", ('"%s"' % table, count))
        return [i for i, in cursor]
    cursor.execute(
        'SELECT seq FROM sqlite_sequence WHERE name = ?', (table,))
    row = cursor.fetchone()
    cursor.execute('SELECT MAX(id) FROM "%s"' % table)
    highest, = cursor.fetchone()
    first = max(row[0] if row else 0, highest or 0) + 1
    return list(range(first, first + count))


def insert(table, columns, rows):
    """Insert rows (sequences of values in the order of columns, names)
    into table (its name), adding create_uid and create_date."""
    columns = list(columns) + ['create_uid', 'create_date']
    extra = (Transaction().user, now())
    if backend.name == 'postgresql':
        copy_rows(table, columns, (tuple(r) + extra for r in rows))
    else:
        insert_rows(table, columns, (tuple(r) + extra for r in rows))


def copy_rows(table, columns, rows):
    """COPY rows into table on PostgreSQL (psycopg 3 adapts the values).

    The rows are made before the COPY starts: a query on the connection
    while it copies would wait for the copy, which waits for the rows."""
    rows = list(rows)
    cursor = Transaction().connection.cursor()
    statement = 'COPY "%s" (%s) FROM STDIN' % (
        table, ', '.join('"%s"' % c for c in columns))
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(table, columns, rows):
    "Multi-row INSERTs of rows into table, as many rows as SQLite allows."
    sql_table = Table(table)
    sql_columns = [getattr(sql_table, c) for c in columns]
    cursor = Transaction().connection.cursor()
    size = max(1, SQLITE_PARAMETERS // len(columns))
    batch = []
    for row in rows:
        batch.append(list(row))
        if len(batch) == size:
            cursor.execute(*sql_table.insert(sql_columns, batch))
            batch = []
    if batch:
        cursor.execute(*sql_table.insert(sql_columns, batch))
