# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Registries end to end: preview, posting as the manual path posts,
idempotency, rejection, splits, advances consumed, the transfer list."""
import unittest
from decimal import Decimal

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction

from housing_billing.tests.penalty_tools import (
    GF2_PRICES,
    D,
    ledger_account,
    pay,
    run_month,
    setup_account,
    setup_ledger,
    setup_two_bases,
)
from housing_billing.tests.tools import (
    compute,
    create_account,
    create_building,
    create_party,
    create_premises,
    run_queue,
)
from housing_payment.exceptions import RegistryError
from housing_payment.export_1c import LedgerExport

from .test_export_1c import read_postings_xlsx, totals_of, tryton_ledger

LINE = ('{date};10:00:00;8626;0123;{operation};{account};ИВАНОВ И И;'
    'УЛ. ЛЕНИНА, 1;{period};{amount};{net};{commission}')


def sberbank_file(lines, order='1234', encoding='cp1251'):
    """A Sberbank registry of lines (date, operation, account, period,
    amount, commission) with its total line."""
    text = []
    amount = commission = Decimal(0)
    for date, operation, account, period, paid, fee in lines:
        paid, fee = Decimal(paid), Decimal(fee)
        text.append(LINE.format(
                date=date, operation=operation, account=account,
                period=period, amount=paid, net=paid - fee, commission=fee))
        amount += paid
        commission += fee
    text.append('=%s;%s;%s;%s;%s;21.02.2026' % (
            len(lines), amount, amount - commission, commission, order))
    return ('\r\n'.join(text) + '\r\n').encode(encoding)


def post(registries):
    "Press Post and run the queue's tasks as a worker would."
    Registry = Pool().get('housing.payment.registry')
    Registry.post(registries)
    run_queue()


def ledger_balance(code):
    "Debit less credit of the ledger account of code."
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search(
                [('account.code', '=', code)])), Decimal(0))


def balance(account):
    Line = Pool().get('account.move.line')
    return sum((line.debit - line.credit for line in Line.search(
                [('housing_account', '=', account.id)])), Decimal(0))


class RegistryTestCase(unittest.TestCase):
    "Test payment registries"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['housing_payment', 'l10n_ru_housing'])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def setup(self, company, neighbour=False):
        """G-F2: November 4 200.00 and December 4 650.00 owed; with
        neighbour, a second account in another building, 50 m² at the
        same prices (2 100.00 and 2 325.00)."""
        Format = Pool().get('housing.payment.registry.format')
        setup_ledger(company, [2025, 2026])
        account = setup_account(GF2_PRICES)
        if neighbour:
            self.neighbour(account)
        for period in [D(2025, 11, 1), D(2025, 12, 1)]:
            run_month(period)
        format_, = Format.create([{
                    'name': "Сбербанк", 'kind': 'sberbank',
                    'bank': 'sber',
                    'commission_account': ledger_account('91.02').id,
                    'suspense_account': ledger_account('76.09').id,
                    }])
        return account, format_

    @staticmethod
    def neighbour(account):
        Account = Pool().get('housing.account')
        building = create_building(address="ул. Садовая, д. 2")
        flat = create_premises(building, '1', [(D(2019, 1, 1), Decimal('50'))])
        other = create_account(flat, '2000000001',
            [(D(2019, 1, 1), create_party("Петрова Анна Сергеевна"))],
            opened=D(2019, 1, 1))
        Account.write([other], {'services': [('create', [{
                            'service': s.service.id,
                            'date_from': D(2019, 1, 1)}
                        for s in account.services])]})
        return other

    def registry(self, format_, data, name='registry.txt'):
        Registry = Pool().get('housing.payment.registry')
        registry, = Registry.create([{
                    'format': format_.id, 'date': D(2026, 2, 21),
                    'file': data, 'file_name': name}])
        return registry

    @with_transaction()
    def test_preview_and_post(self):
        "Matched and unmatched lines; posting writes what a payment writes"
        pool = Pool()
        Registry = pool.get('housing.payment.registry')
        Payment = pool.get('housing.payment')
        company = create_company()
        with set_company(company):
            account, format_ = self.setup(company)
            registry = self.registry(format_, sberbank_file([
                        ('20.02.2026', '1', '1000234567', '', '6000.00',
                            '72.00'),
                        ('20.02.2026', '2', '9999999999', '', '100.00',
                            '1.20'),
                        ('20.02.2026', '3', '', '', '50.00', '0.60'),
                        ]))
            Registry.preview([registry])
            self.assertEqual(registry.state, 'previewed')
            self.assertEqual(
                (registry.line_count, registry.matched_count,
                    registry.unmatched_count, registry.matched_amount),
                (3, 1, 2, Decimal('6000.00')))
            self.assertEqual(registry.payment_order, '1234')
            self.assertEqual(
                [(line.number, line.reason)
                    for line in registry.unmatched_lines],
                [(2, 'unknown_account'), (3, 'no_account')])
            post([registry])
            self.assertEqual(registry.state, 'posted')
            payment, = Payment.search([('channel', '=', 'registry')])
            payer = account.payer_at(D(2026, 2, 20)).party
            self.assertEqual(
                (payment.state, payment.account, payment.party, payment.date,
                    payment.amount),
                ('posted', account, payer, D(2026, 2, 20),
                    Decimal('6000.00')))
            move = payment.move
            chunk, = registry.chunks
            self.assertEqual((move.state, move.origin), ('posted', chunk))
            self.assertEqual(
                {(line.account.code, line.debit, line.credit, line.party,
                        line.housing_account) for line in move.lines},
                {('51', Decimal('6000.00'), 0, None, None),
                    ('62.01', 0, Decimal('6000.00'), payer, account)})
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in payment.allocations],
                [('debt', D(2025, 11, 1), Decimal('4200.00')),
                    ('debt', D(2025, 12, 1), Decimal('1800.00'))])
            self.assertEqual(balance(account), Decimal('2850.00'))
            self.assertEqual(
                sum(s.amount for s in payment.splits), Decimal('6000.00'))
            # The commission of every line the bank paid, matched or not
            commission = registry.commission_move
            self.assertEqual(
                {(line.account.code, line.debit, line.credit)
                    for line in commission.lines},
                {('91.02', Decimal('73.80'), 0),
                    ('51', 0, Decimal('73.80'))})
            line, = [line for line in registry.lines if line.payment]
            self.assertEqual((line.status, line.payment), ('posted', payment))
            # The unmatched lines' money came to the bank: unidentified
            # receipts on 76.09, a line each, until resolved
            suspense = registry.suspense_move
            self.assertEqual(
                (suspense.state, suspense.origin, suspense.date),
                ('posted', registry, D(2026, 2, 21)))
            self.assertEqual(
                sorted((line.account.code, line.debit, line.credit,
                        line.party) for line in suspense.lines),
                [('51', Decimal('150.00'), 0, None),
                    ('76.09', 0, Decimal('50.00'), None),
                    ('76.09', 0, Decimal('100.00'), None)])
            self.assertIn('9999999999', ' '.join(
                    line.description or '' for line in suspense.lines))
            self.assertEqual(
                [(line.number, line.status, line.reason)
                    for line in registry.unmatched_lines],
                [(2, 'suspense', 'unknown_account'),
                    (3, 'suspense', 'no_account')])
            self.assertEqual(registry.unmatched_count, 2)
            # The bank account got what the total line says was transferred
            self.assertEqual(
                ledger_balance('51'), Decimal('6150.00') - Decimal('73.80'))

    @with_transaction()
    def test_unmatched_booked_once(self):
        "Unidentified receipts: the account required, booked once"
        pool = Pool()
        Registry = pool.get('housing.payment.registry')
        Format = pool.get('housing.payment.registry.format')
        Move = pool.get('account.move')
        company = create_company()
        with set_company(company):
            _, format_ = self.setup(company)
            data = sberbank_file([
                    ('20.02.2026', '7', '9999999999', '', '300.00', '3.60'),
                    ('20.02.2026', '8', '1000234567', '', '100.00', '1.20'),
                    ])
            Format.write([format_], {'suspense_account': None})
            registry = self.registry(format_, data)
            Registry.preview([registry])
            with self.assertRaises(RegistryError) as context:
                post([registry])
            self.assertIn(
                'no personal account in registry "%s": 1.'
                % registry.rec_name, context.exception.message)
            self.assertIn(format_.rec_name, context.exception.message)
            self.assertIsNone(registry.suspense_move)
            self.assertEqual(registry.state, 'previewed')

            Format.write([format_], {
                    'suspense_account': ledger_account('76.09').id})
            post([registry])
            self.assertEqual(ledger_balance('76.09'), Decimal('-300.00'))
            moves = Move.search([], count=True)

            again = self.registry(format_, data)
            Registry.preview([again])
            self.assertEqual(
                [(line.status, line.reason, line.duplicate_of.registry)
                    for line in again.lines],
                [('duplicate', 'duplicate_posted', registry)] * 2)
            post([again])
            self.assertIsNone(again.suspense_move)
            self.assertEqual(Move.search([], count=True), moves)
            self.assertEqual(ledger_balance('76.09'), Decimal('-300.00'))

    @with_transaction()
    def test_same_as_manual_payment(self):
        "A registry payment allocates as the manual one, named period first"
        pool = Pool()
        Registry = pool.get('housing.payment.registry')
        Payment = pool.get('housing.payment')
        company = create_company()
        with set_company(company):
            account, format_ = self.setup(company)
            registry = self.registry(format_, sberbank_file([
                        ('20.02.2026', '1', '1000234567', '122025',
                            '5000.00', '0.00')]))
            Registry.preview([registry])
            post([registry])
            self.assertIsNone(registry.commission_move)
            from_registry, = Payment.search([('channel', '=', 'registry')])
            rows = [(a.kind, a.period, a.amount)
                for a in from_registry.allocations]
            self.assertEqual(rows, [
                    ('debt', D(2025, 12, 1), Decimal('4650.00')),
                    ('debt', D(2025, 11, 1), Decimal('350.00'))])

    @with_transaction()
    def test_idempotent(self):
        "The same file or the same payment in another file posts nothing"
        pool = Pool()
        Registry = pool.get('housing.payment.registry')
        Payment = pool.get('housing.payment')
        Move = pool.get('account.move')
        company = create_company()
        with set_company(company):
            account, format_ = self.setup(company)
            line = ('20.02.2026', '1', '1000234567', '', '1000.00', '12.00')
            first = self.registry(format_, sberbank_file([line]))
            Registry.preview([first])
            post([first])
            moves = Move.search([], count=True)

            again = self.registry(format_, sberbank_file([line]))
            Registry.preview([again])
            self.assertEqual(
                (again.matched_count, again.duplicate_count), (0, 1))
            duplicate, = again.lines
            self.assertEqual(
                (duplicate.reason, duplicate.duplicate_of.registry),
                ('duplicate_posted', first))
            post([again])
            self.assertEqual(
                Payment.search([('channel', '=', 'registry')], count=True), 1)
            self.assertEqual(Move.search([], count=True), moves)

            new = ('20.02.2026', '2', '1000234567', '', '10.00', '0.12')
            other = self.registry(
                format_, sberbank_file([line, new, new], order='1300'))
            Registry.preview([other])
            self.assertEqual(
                [line.reason for line in other.lines],
                ['duplicate_posted', None, 'duplicate_file'])
            post([other])
            self.assertEqual(
                Payment.search([('channel', '=', 'registry')], count=True), 2)
            self.assertEqual(balance(account), Decimal('7840.00'))

    @with_transaction()
    def test_posted_in_between(self):
        "Two previews of one payment: the second posting skips it"
        Registry = Pool().get('housing.payment.registry')
        Payment = Pool().get('housing.payment')
        company = create_company()
        with set_company(company):
            _, format_ = self.setup(company)
            data = sberbank_file(
                [('20.02.2026', '1', '1000234567', '', '100.00', '0.00')])
            first = self.registry(format_, data)
            second = self.registry(format_, data)
            Registry.preview([first, second])
            post([first])
            post([second])
            self.assertEqual(second.duplicate_count, 1)
            self.assertEqual(
                Payment.search([('channel', '=', 'registry')], count=True), 1)

    @with_transaction()
    def test_posted_by_building(self):
        "Post queues a chunk per building; a failed chunk is resumed"
        pool = Pool()
        Registry = pool.get('housing.payment.registry')
        Payment = pool.get('housing.payment')
        Period = pool.get('account.period')
        company = create_company()
        with set_company(company):
            account, format_ = self.setup(company, neighbour=True)
            data = sberbank_file([
                    ('20.02.2026', '1', '1000234567', '', '1000.00', '0.00'),
                    ('20.02.2026', '2', '2000000001', '', '500.00', '0.00'),
                    ('20.02.2026', '3', '2000000001', '', '25.00', '0.00'),
                    ])
            registry = self.registry(format_, data)
            Registry.preview([registry])
            Registry.post([registry])
            self.assertEqual(registry.state, 'posting')
            self.assertEqual(
                sorted((c.building.address, c.lines, c.state)
                    for c in registry.chunks),
                [("ул. Садовая, д. 1", 1, 'pending'),
                    ("ул. Садовая, д. 2", 2, 'pending')])
            self.assertEqual(Payment.search(
                    [('channel', '=', 'registry')], count=True), 0)

            # The same file previewed while the first waits in the queue
            again = self.registry(format_, data)
            Registry.preview([again])
            self.assertEqual(
                (again.matched_count, again.duplicate_count), (0, 3))

            # February closed before the worker took the task: the chunks
            # fail, nothing of them is written, the registry waits
            february = Period.find(company, date=D(2026, 2, 20))
            Period.close([february])
            run_queue()
            registry = Registry(registry.id)
            self.assertEqual(registry.state, 'posting')
            self.assertEqual({c.state for c in registry.chunks}, {'failed'})
            self.assertIn(february.rec_name, registry.chunks[0].error)
            self.assertEqual(Payment.search(
                    [('channel', '=', 'registry')], count=True), 0)
            self.assertEqual(ledger_balance('51'), 0)

            Period.reopen([february])
            Registry.resume([registry])
            run_queue()
            registry = Registry(registry.id)
            self.assertEqual(registry.state, 'posted')
            self.assertEqual(registry.progress, 1)
            self.assertEqual({c.state for c in registry.chunks}, {'done'})
            self.assertEqual(
                sorted(p.amount for p in Payment.search(
                        [('channel', '=', 'registry')])),
                [Decimal('25.00'), Decimal('500.00'), Decimal('1000.00')])
            self.assertEqual(ledger_balance('51'), Decimal('1525.00'))
            self.assertEqual(balance(account), Decimal('7850.00'))
            # A posted move per building and day: the bank debited with the
            # building's total, a receivable line per payment
            moves = {}
            for payment in Payment.search([('channel', '=', 'registry')]):
                moves.setdefault(payment.move, []).append(payment)
            self.assertEqual(
                sorted((m.origin.building.address, m.state, bool(m.number),
                        sorted((line.account.code, line.debit, line.credit)
                            for line in m.lines),
                        sorted(p.amount for p in payments))
                    for m, payments in moves.items()),
                [("ул. Садовая, д. 1", 'posted', True,
                        [('51', Decimal('1000.00'), 0),
                            ('62.01', 0, Decimal('1000.00'))],
                        [Decimal('1000.00')]),
                    ("ул. Садовая, д. 2", 'posted', True,
                        [('51', Decimal('525.00'), 0),
                            ('62.01', 0, Decimal('25.00')),
                            ('62.01', 0, Decimal('500.00'))],
                        [Decimal('25.00'), Decimal('500.00')])])
            # 1C: each building's move is paired into postings whose sums
            # per account are Tryton's, and the day's bank receipt has
            # both buildings
            export = LedgerExport(company, D(2026, 2, 1), payments=True)
            _, rows = read_postings_xlsx(export.postings_xlsx())
            self.assertEqual(
                {k: tuple(v) for k, v in totals_of(rows).items()},
                tryton_ledger(company, D(2026, 2, 1), D(2026, 2, 28)))
            receipt, = export.receipts
            self.assertEqual(receipt.moves, {m.id for m in moves})
            self.assertEqual(sorted(receipt.by_building.values()),
                [Decimal('525.00'), Decimal('1000.00')])

    @with_transaction()
    def test_malformed_file_imports_nothing(self):
        "Totals that do not add up: an error naming the line, no line kept"
        pool = Pool()
        Registry = pool.get('housing.payment.registry')
        Line = pool.get('housing.payment.registry.line')
        company = create_company()
        with set_company(company):
            _, format_ = self.setup(company)
            data = sberbank_file([
                    ('20.02.2026', '1', '1000234567', '', '100.00', '0.00'),
                    ('20.02.2026', '2', '1000234567', '', '200.00', '0.00'),
                    ]).replace(b'=2;300.00', b'=2;300.01')
            registry = self.registry(format_, data)
            with self.assertRaises(RegistryError) as context:
                Registry.preview([registry])
            message = context.exception.message
            self.assertIn('line 3', message)
            self.assertIn('300.01', message)
            self.assertEqual(Line.search([], count=True), 0)
            registry = self.registry(format_, 'ЛС;Сумма'.encode('utf-8')
                + b'\xff\xfe\r\n')
            with self.assertRaises(RegistryError) as context:
                Registry.preview([registry])
            self.assertIn('line 1', context.exception.message)

    @with_transaction()
    def test_configured_format_refuses_unknown_column(self):
        "A delimited format naming an unknown column is refused"
        Format = Pool().get('housing.payment.registry.format')
        company = create_company()
        with set_company(company):
            with self.assertRaises(Exception) as context:
                Format.create([{
                            'name': "ВТБ", 'kind': 'delimited',
                            'bank': 'vtb', 'columns': 'account,date,summa',
                            }])
            self.assertIn('summa', context.exception.message)

    @with_transaction()
    def test_split_by_service_and_supplier(self):
        "Two services, one an agent's: parts proportional and exact"
        pool = Pool()
        Service = pool.get('housing.service')
        Tariff = pool.get('housing.tariff')
        Account = pool.get('housing.account')
        Split = pool.get('housing.payment.split')
        Transfer = pool.get('housing.payment.transfer')
        AccountConfiguration = pool.get('account.configuration')
        company = create_company()
        with set_company(company):
            setup_ledger(company, [2025, 2026])
            configuration = AccountConfiguration(1)
            configuration.default_account_payable = ledger_account('60')
            configuration.save()
            account = setup_account(GF2_PRICES)
            supplier = create_party("ООО «Вывоз»")
            waste, = Service.copy(Service.search([('code', '=', 'SOD')]), {
                    'code': 'TKO', 'name': 'TKO', 'kind': 'agent',
                    'supplier': supplier.id, 'credit_account': None,
                    })
            Tariff.create([{
                        'service': waste.id, 'date_from': D(2025, 11, 1),
                        'rates': [('create', [{'price': Decimal('1.00')}])],
                        }])
            Account.write([account], {'services': [('create', [{
                                'service': waste.id,
                                'date_from': D(2019, 1, 1)}])]})
            run_month(D(2025, 11, 1))
            payment = pay(account, D(2025, 12, 10), '1000.00')
            parts = {s.service.code: (s.supplier, s.amount)
                for s in Split.search([('payment', '=', payment.id)])}
            # 4 200.00 and 100.00 owed: 976.74 and 23.26
            self.assertEqual(parts, {
                    'SOD': (company.party, Decimal('976.74')),
                    'TKO': (supplier, Decimal('23.26'))})
            payment = pay(account, D(2025, 12, 11), '3300.00')
            splits = Split.search([('payment', '=', payment.id)])
            self.assertEqual(
                sum(s.amount for s in splits), Decimal('3300.00'))
            with Transaction().set_context(
                    from_date=D(2025, 12, 1), to_date=D(2025, 12, 31)):
                transfers = {t.supplier: t.amount for t in Transfer.search(
                        [])}
            # the whole debt paid: each supplier got exactly its charges
            self.assertEqual(transfers, {
                    company.party: Decimal('4200.00'),
                    supplier: Decimal('100.00')})

    @with_transaction()
    def test_recorded_split_drives_penalty_bases(self):
        "The penalty bases take what the split of a payment records"
        pool = Pool()
        Split = pool.get('housing.payment.split')
        Allocation = pool.get('housing.payment.allocation')
        company = create_company()
        with set_company(company):
            account, repair, _ = setup_two_bases(company, [1, 2])
            payment = pay(account, D(2026, 2, 20), '3125.00')
            allocation, = payment.allocations
            parts = {s.service.code: s.amount for s in payment.splits}
            # 5 000.00 and 1 250.00 owed for January
            self.assertEqual(parts, {
                    'SOD': Decimal('2500.00'), 'KR': Decimal('625.00')})
            self.assertEqual(
                Allocation.service_parts([allocation.id]),
                {allocation.id: {
                        s.service.id: s.amount for s in payment.splits}})
            # As housing_billing's test_payment_split_between_bases
            march = run_month(D(2026, 3, 1), post=False)
            self.assertEqual(sorted(
                    (c.service.code, c.amount) for c in march.charges
                    if c.kind == 'penalty'), [
                    ('PENI', Decimal('15.04')),
                    ('PENI_KR', Decimal('12.86'))])
            # Recorded otherwise (all to maintenance): capital repair
            # accrues on 1 250.00 to 31.03 (19.40 + 8.31 − 7.13 charged
            # = 20.58) and maintenance on 1 875.00 from 13.03 (19 days
            # × 1 875.00 × 9.5 % / 300 = 11.28125 → 11.28).
            for split in payment.splits:
                split.amount = (Decimal('3125.00')
                    if split.service != repair else Decimal(0))
            Split.save(payment.splits)
            compute([march])
            march = type(march)(march.id)
            self.assertEqual(sorted(
                    (c.service.code, c.amount) for c in march.charges
                    if c.kind == 'penalty'), [
                    ('PENI', Decimal('11.28')),
                    ('PENI_KR', Decimal('20.58'))])

    @with_transaction()
    def test_penalty_codes(self):
        "Lines of the format's penalty codes pay the penalties of the base"
        pool = Pool()
        Format = pool.get('housing.payment.registry.format')
        Registry = pool.get('housing.payment.registry')
        Payment = pool.get('housing.payment')
        Configuration = pool.get('housing.configuration')
        company = create_company()
        with set_company(company):
            account, _, _ = setup_two_bases(company, [1, 2, 3])
            # Penalties charged (housing_billing's test_unpaid_two_bases):
            # housing 30.08 in March; capital repair 7.13 in February and
            # 20.58 in March.
            format_, = Format.create([{
                        'name': "ВТБ", 'kind': 'delimited', 'bank': 'vtb',
                        'encoding': 'utf-8',
                        'columns': 'operation,account,date,amount,service',
                        'penalty_codes': '02, 12',
                        'capital_repair_penalty_codes': '03',
                        }])
            data = ('1;1000234567;06.04.2026;1000.00;01\n'
                '2;1000234567;06.04.2026;20.00;02\n'
                '3;1000234567;06.04.2026;30.00;03\n').encode('utf-8')
            registry, = Registry.create([{
                        'format': format_.id, 'date': D(2026, 4, 7),
                        'file': data, 'file_name': 'vtb.txt'}])
            Registry.preview([registry])
            self.assertEqual(
                [(line.service_code, line.payment_purpose)
                    for line in registry.lines],
                [('01', 'charges'), ('02', 'penalties'),
                    ('03', 'capital_repair_penalties')])
            # No penalty receivable: refused by Post, nothing queued
            configuration = Configuration(1)
            receivable = configuration.penalty_receivable_account
            configuration.penalty_receivable_account = None
            configuration.capital_repair_penalty_receivable_account = None
            configuration.save()
            with self.assertRaises(RegistryError) as context:
                post([registry])
            self.assertIn('penalty receivable', context.exception.message)
            self.assertEqual(Payment.search([]), [])
            configuration.penalty_receivable_account = receivable
            configuration.capital_repair_penalty_receivable_account = (
                ledger_account('76.03'))
            configuration.save()
            post([registry])

            payments = {p.purpose: p for p in Payment.search([])}
            self.assertEqual(
                [(a.kind, a.period, a.amount)
                    for a in payments['charges'].allocations],
                [('debt', D(2026, 1, 1), Decimal('1000.00'))])
            self.assertEqual(
                [(a.kind, a.period, a.amount)
                    for a in payments['penalties'].allocations],
                [('penalty', D(2026, 3, 1), Decimal('20.00'))])
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in
                    payments['capital_repair_penalties'].allocations],
                [('penalty', D(2026, 2, 1), Decimal('7.13')),
                    ('penalty', D(2026, 3, 1), Decimal('20.58')),
                    ('penalty', None, Decimal('2.29'))])
            move, = {p.move for p in payments.values()}
            payer = account.payer_at(D(2026, 4, 6)).party
            self.assertEqual(sorted((line.account.code, line.debit,
                        line.credit, line.party, line.housing_account)
                    for line in move.lines), [
                    ('51', Decimal('1050.00'), 0, None, None),
                    ('62.01', 0, Decimal('1000.00'), payer, account),
                    ('62.02', 0, Decimal('20.00'), payer, account),
                    ('76.03', 0, Decimal('30.00'), payer, account),
                    ])
            # The money designated for penalties belongs to the penalty
            # services; the month of the payment takes what paid no
            # penalty charged.
            self.assertEqual(sorted(
                    (s.service.code, s.period, s.amount, s.supplier)
                    for p in payments.values() if p.purpose != 'charges'
                    for s in p.splits), [
                    ('PENI', D(2026, 3, 1), Decimal('20.00'),
                        company.party),
                    ('PENI_KR', D(2026, 2, 1), Decimal('7.13'),
                        company.party),
                    ('PENI_KR', D(2026, 3, 1), Decimal('20.58'),
                        company.party),
                    ('PENI_KR', D(2026, 4, 1), Decimal('2.29'),
                        company.party),
                    ])
            # As a manual payment of the same purpose would have
            manual = pay(account, D(2026, 4, 8), '10.08',
                purpose='penalties')
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in manual.allocations],
                [('penalty', D(2026, 3, 1), Decimal('10.08'))])
            self.assertEqual(
                [(s.service.code, s.amount) for s in manual.splits],
                [('PENI', Decimal('10.08'))])

    @with_transaction()
    def test_transfer_csv(self):
        "The transfer list as CSV: BOM, ';', decimal comma, a total"
        pool = Pool()
        Transfer = pool.get('housing.payment.transfer')
        Report = pool.get('housing.payment.transfer.csv', type='report')
        company = create_company()
        with set_company(company):
            account, _ = self.setup(company)
            pay(account, D(2026, 1, 15), '1234.56')
            with Transaction().set_context(
                    from_date=D(2026, 1, 1), to_date=D(2026, 1, 31)):
                transfers = Transfer.search([])
                ext, content, _, name = Report.execute(
                    [t.id for t in transfers], {})
        self.assertEqual(ext, 'csv')
        text = content.decode('utf-8-sig')
        self.assertTrue(content.startswith(b'\xef\xbb\xbf'))
        rows = text.split('\r\n')
        self.assertEqual(rows[0].split(';')[0], 'Поставщик')
        self.assertTrue(rows[1].endswith(';1234,56'))
        self.assertEqual(rows[2], 'Итого;;;;;1234,56')

    @with_transaction()
    def test_advance_consumed(self):
        "An advance pays the month charged after it, and is split"
        pool = Pool()
        Allocation = pool.get('housing.payment.allocation')
        Split = pool.get('housing.payment.split')
        company = create_company()
        with set_company(company):
            account, _ = self.setup(company)
            payment = pay(account, D(2025, 12, 20), '10000.00')
            self.assertEqual(payment.advance, Decimal('1150.00'))
            run_month(D(2026, 1, 1))
            rows = [(a.kind, a.period, a.amount) for a in Allocation.search(
                    [('payment', '=', payment.id)],
                    order=[('id', 'ASC')])]
            self.assertEqual(rows, [
                    ('debt', D(2025, 11, 1), Decimal('4200.00')),
                    ('debt', D(2025, 12, 1), Decimal('4650.00')),
                    ('debt', D(2026, 1, 1), Decimal('1150.00'))])
            self.assertEqual(
                sum(s.amount for s in Split.search(
                        [('payment', '=', payment.id)])),
                Decimal('10000.00'))
            # The next payment finds January owing 3 850.00 only
            second = pay(account, D(2026, 2, 1), '4000.00')
            self.assertEqual(
                [(a.kind, a.period, a.amount) for a in second.allocations],
                [('debt', D(2026, 1, 1), Decimal('3850.00')),
                    ('advance', None, Decimal('150.00'))])

    @with_transaction()
    def test_no_payer_unmatched(self):
        "An account without a payer on the payment date stays unmatched"
        Registry = Pool().get('housing.payment.registry')
        company = create_company()
        with set_company(company):
            account, format_ = self.setup(company)
            later = create_account(
                create_premises(account.premises.building, '6',
                    [(D(2019, 1, 1), Decimal('50'))]),
                '1000234568',
                [(D(2026, 3, 1), create_party("Петров"))])
            registry = self.registry(format_, sberbank_file([
                        ('20.02.2026', '1', later.number, '', '10.00',
                            '0.00')]))
            Registry.preview([registry])
            line, = registry.lines
            self.assertEqual((line.status, line.reason, line.account),
                ('unmatched', 'no_payer', later))
