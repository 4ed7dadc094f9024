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
from trytond.model import fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

CENT = Decimal('0.01')
# SQLite takes at most 32,766 parameters per statement.
SQLITE_PARAMETERS = 30000


def in_slices(values):
    """values in lists short enough for one where_in each: PostgreSQL
    takes them as one array parameter (= ANY), so that a query carries a
    registry's 100,000 accounts; SQLite takes a parameter a value."""
    size = 100000 if backend.name == 'postgresql' else 1000
    for sub_values in grouped_slice(list(values), size):
        yield list(sub_values)


def where_in(column, values):
    "column IN values: = ANY (array) on PostgreSQL."
    return fields.SQL_OPERATORS['in'](column, values)


def as_money(value):
    "A sum read back from SQL (SQLite gives a float) as kopecks."
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value.quantize(CENT)


def as_decimal(value):
    "A number read back from SQL (SQLite gives a float) as a Decimal."
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
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
        return [i for i, in cursor.fetchall()]
    cursor.execute(
        'SELECT seq FROM sqlite_sequence WHERE name = ?', (table,))
    row = cursor.fetchone()
    cursor.execute('SELECT MAX(id) FROM "%s"' % table)
    highest, = cursor.fetchone()
    first = max(row[0] if row else 0, highest or 0) + 1
    return list(range(first, first + count))


def insert(table, columns, rows, stream=False):
    """Insert rows (sequences of values in the order of columns, names)
    into table (its name), adding create_uid and create_date; return how
    many. With stream, the rows are made while PostgreSQL copies them
    (the server works while Python makes the next rows): the iterable
    must then make them without a query."""
    columns = list(columns) + ['create_uid', 'create_date']
    extra = (Transaction().user, now())
    if backend.name == 'postgresql':
        return copy_rows(
            table, columns, (tuple(r) + extra for r in rows), stream=stream)
    else:
        return insert_rows(
            table, columns, (tuple(r) + extra for r in rows))


def copy_rows(table, columns, rows, stream=False):
    """COPY rows into table on PostgreSQL (psycopg 3 adapts the values);
    return how many.

    Unless stream, the rows are made before the COPY starts: a query on
    the connection while it copies would wait for the copy, which waits
    for the rows."""
    if not stream:
        rows = list(rows)
    cursor = Transaction().connection.cursor()
    statement = 'COPY "%s" (%s) FROM STDIN' % (
        table, ', '.join('"%s"' % c for c in columns))
    count = 0
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def insert_rows(table, columns, rows):
    """Multi-row INSERTs of rows into table, as many rows as SQLite allows;
    return how many."""
    sql_table = Table(table)
    sql_columns = [getattr(sql_table, c) for c in columns]
    cursor = Transaction().connection.cursor()
    size = max(1, SQLITE_PARAMETERS // len(columns))
    batch = []
    count = 0
    for row in rows:
        batch.append(list(row))
        count += 1
        if len(batch) == size:
            cursor.execute(*sql_table.insert(sql_columns, batch))
            batch = []
    if batch:
        cursor.execute(*sql_table.insert(sql_columns, batch))
    return count


def missing_references(Model, ids_by_column):
    """Check that the rows ids_by_column names exist and keep them so
    until the commit (FOR KEY SHARE on PostgreSQL), one statement per
    referenced table and slice: what the foreign keys Model drops for its
    bulk writes (Model._bulk_references: {column: model}) did row by row.
    Returns {model name: sorted missing ids}, empty when all exist."""
    pool = Pool()
    cursor = Transaction().connection.cursor()
    missing = {}
    for column, ids in ids_by_column.items():
        Target = pool.get(Model._bulk_references[column])
        table = Target.__table__()
        ids = sorted({i for i in ids if i is not None})
        found = set()
        for sub_ids in in_slices(ids):
            sql, params = tuple(table.select(
                    table.id, where=where_in(table.id, sub_ids)))
            if backend.name == 'postgresql':
                sql += ' FOR KEY SHARE'
            cursor.execute(sql, params)
            found.update(i for i, in cursor.fetchall())
        if set(ids) - found:
            missing[Target.__name__] = sorted(set(ids) - found)
    return missing


def update_by_id(table, columns, rows):
    """Set columns (names) of the rows of table (its name) given as
    (id, value, ...), adding write_uid and write_date: one UPDATE joined
    to a temporary table filled by COPY on PostgreSQL, one statement per
    row on SQLite."""
    columns = list(columns) + ['write_uid', 'write_date']
    extra = (Transaction().user, now())
    rows = [tuple(r) + extra for r in rows]
    if not rows:
        return
    cursor = Transaction().connection.cursor()
    if backend.name == 'postgresql':
        cursor.execute(
            'CREATE TEMP TABLE bulk_update ON COMMIT DROP AS '
            'SELECT id, %s FROM "%s" WITH NO DATA'
            % (', '.join('"%s"' % c for c in columns), table))
        copy_rows('bulk_update', ['id'] + columns, rows)
        cursor.execute('UPDATE "%s" AS t SET %s FROM bulk_update AS u '
            'WHERE t.id = u.id' % (table, ', '.join(
                    '"%s" = u."%s"' % (c, c) for c in columns)))
        cursor.execute('DROP TABLE bulk_update')
    else:
        sql_table = Table(table)
        for row in rows:
            cursor.execute(*sql_table.update(
                    [getattr(sql_table, c) for c in columns], list(row[1:]),
                    where=sql_table.id == row[0]))
