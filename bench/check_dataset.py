#!/usr/bin/env python3
# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Validate a sample of a generated dataset through the ORM.

tests/test_generate.py validates every record of a small dataset; this
validates the records of some buildings of a large one (the first, the
newest ones, whose management starts inside the window, and random ones),
and recomputes the flags of their readings as Reading.create sets them::

    .venv/bin/python bench/check_dataset.py --config trytond.conf \\
        --database NAME [--buildings 12]
"""
import argparse
import os
import sys
import time
from random import Random

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from generate import configure  # noqa: E402

MODELS = [
    ('housing.building', 'id'),
    ('housing.building.area', 'building'),
    ('housing.premises', 'building'),
    ('housing.premises.area', 'premises.building'),
    ('housing.owner', 'premises.building'),
    ('housing.account', 'premises.building'),
    ('housing.account.payer', 'account.premises.building'),
    ('housing.resident', 'account.premises.building'),
    ('housing.absence', 'resident.account.premises.building'),
    ('housing.account.service', 'account.premises.building'),
    ('housing.meter', 'building'),
    ]


def check(buildings=12, meters=200, seed=1, log=print):
    """Validate the records of a sample of buildings, and the readings of
    a sample of their meters (validating a reading costs queries, flagging
    it a quadratic number); return the counts."""
    from trytond.pool import Pool
    pool = Pool()
    Building = pool.get('housing.building')
    Meter = pool.get('housing.meter')
    Reading = pool.get('housing.meter.reading')
    Party = pool.get('party.party')
    all_buildings = Building.search([], order=[('id', 'ASC')])
    newest = sorted(all_buildings,
        key=lambda b: b.management_start)[-max(buildings // 3, 1):]
    rng = Random(seed)
    sample = {all_buildings[0]} | set(newest) | set(rng.sample(
            all_buildings, min(buildings, len(all_buildings))))
    ids = [b.id for b in sample]
    counts = {}
    for name, path in MODELS:
        Model = pool.get(name)
        started = time.monotonic()
        counts[name] = 0
        # Building by building: the ORM is slow on long lists of records
        for building in ids:
            records = Model.search([(path, '=', building)])
            Model._validate(records)
            counts[name] += len(records)
        log('%-26s %7d valid (%.0f s)' % (
                name, counts[name], time.monotonic() - started))
    # The meters with something special, and random ones
    special = Meter.search([('building', 'in', ids), ['OR',
                ('removal_date', '!=', None),
                ('readings.rollover', '=', True),
                ('readings.review', '=', 'pending'),
                ('readings.verification_overdue', '=', True),
                ]])
    special = rng.sample(special, min(meters // 2, len(special)))
    others = Meter.search([('building', 'in', ids)])
    chosen = set(special) | set(rng.sample(
            others, min(meters - len(special), len(others))))
    started = time.monotonic()
    readings = Reading.search([('meter', 'in', [m.id for m in chosen])])
    Reading._validate(readings)
    for reading in readings:
        expected = reading.flag_values()
        actual = {k: getattr(reading, k) for k in expected}
        if actual != expected:
            raise AssertionError('%s: %s != %s' % (
                    reading.rec_name, actual, expected))
    counts['housing.meter.reading'] = len(readings)
    log('%-26s %7d valid, flags as Reading.create sets them, of %d '
        'meters (%.0f s)' % ('housing.meter.reading', len(readings),
            len(chosen), time.monotonic() - started))
    parties = Party.search([('id', 'in', [
                    r.party.id for r in pool.get('housing.resident').search(
                        [('account.premises.building', 'in', ids)])])])
    Party._validate(parties)
    counts['party.party'] = len(parties)
    log('%-26s %7d valid' % ('party.party', len(parties)))
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', '-c', required=True)
    parser.add_argument('--database', '-d', required=True)
    parser.add_argument('--buildings', type=int, default=12)
    parser.add_argument('--meters', type=int, default=200,
        help="the meters whose readings are validated")
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args(argv)
    configure(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0, readonly=True) as transaction:
        User = pool.get('res.user')
        Company = pool.get('company.company')
        admin, = User.search([('login', '=', 'admin')])
        company = Company(admin.company.id)
        # The language of the generator, which wrote the review reasons
        with transaction.set_user(admin.id), transaction.set_context(
                company=company.id, companies=[company.id],
                language=admin.language.code if admin.language else 'ru'):
            check(args.buildings, args.meters, args.seed)


if __name__ == '__main__':
    main()
