# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"Worker processes compute the same charges as the run's own process."
import datetime as dt
import unittest
from unittest.mock import patch

from trytond import backend, config
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .. import accrual, compute_workers
from . import test_accrual
from .tools import HousingTestCase, compute

D = dt.date
OWN = {'id', 'run', 'create_date', 'create_uid', 'write_date', 'write_uid'}


@unittest.skipIf(backend.name != 'postgresql',
    "worker processes need a database server: each opens its connection")
class ComputeWorkersTestCase(HousingTestCase):
    "Test the computation by worker processes"

    setup_building = test_accrual.HousingAccrualTestCase.setup_building

    def charges(self, run):
        Charge = Pool().get('housing.charge')
        rows = Charge.read([c.id for c in run.charges], [
                f for f in Charge._fields
                if f not in OWN and not hasattr(Charge._fields[f], 'getter')])
        return sorted(
            tuple(sorted((k, v) for k, v in row.items() if k not in OWN))
            for row in rows)

    @with_transaction()
    def test_workers_compute_as_the_process(self):
        "Two worker processes, a chunk an account: the same charges"
        pool = Pool()
        Run = pool.get('housing.accrual.run')
        company = create_company()
        with set_company(company):
            self.setup_building()
            # The workers read what is committed.
            Transaction().commit()
            here, there = Run.create([
                    {'period': D(2026, 3, 1)}, {'period': D(2026, 3, 1)}])
            compute([here])
            if not config.has_section('housing'):
                config.add_section('housing')
            config.set('housing', 'compute_processes', '2')
            try:
                with patch.object(accrual, 'CHUNK', 1):
                    self.assertEqual(compute_workers.processes(), 2)
                    compute([there])
            finally:
                config.set('housing', 'compute_processes', '0')
            self.assertEqual(len(here.charges), 8)
            self.assertEqual(self.charges(there), self.charges(here))
            self.assertEqual(there.total, here.total)
