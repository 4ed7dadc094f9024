# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The transfer list: what the payments of a span of days owe each
supplier, by service (the sum of their splits), and its CSV file for the
bank (exchange-formats §D: UTF-8 with BOM, ';', decimal comma, CRLF)."""
import csv
import io
from decimal import Decimal

from sql import Literal
from sql.aggregate import Min, Sum
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.transaction import Transaction

MONEY = (16, 2)
CENT = Decimal('0.01')


class TransferContext(ModelView):
    __name__ = 'housing.payment.transfer.context'
    __string__ = "Transfer List Context"

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date(
        "From Date", required=True,
        domain=[If(Eval('to_date'), ('from_date', '<=', Eval('to_date')),
                ())],
        help="The first day of payment.")
    to_date = fields.Date(
        "To Date", required=True,
        domain=[If(Eval('from_date'),
                ('to_date', '>=', Eval('from_date')), ())],
        help="The last day of payment.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(day=1)

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()


class Transfer(ModelSQL, ModelView):
    __name__ = 'housing.payment.transfer'
    __string__ = "Transfer List"

    company = fields.Many2One('company.company', "Company", readonly=True)
    supplier = fields.Many2One(
        'party.party', "Supplier", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    service = fields.Many2One('housing.service', "Service", readonly=True)
    amount = fields.Numeric("Amount", digits=MONEY, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('supplier', 'ASC'), ('service', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        split = pool.get('housing.payment.split').__table__()
        payment = pool.get('housing.payment').__table__()
        context = Transaction().context
        where = payment.company == context.get('company', -1)
        if context.get('from_date'):
            where &= split.date >= context['from_date']
        if context.get('to_date'):
            where &= split.date <= context['to_date']
        return split.join(
            payment, condition=split.payment == payment.id).select(
            Min(split.id).as_('id'),
            Literal(0).as_('create_uid'), Min(split.create_date).as_(
                'create_date'),
            Literal(None).as_('write_uid'), Literal(None).as_('write_date'),
            payment.company.as_('company'), split.supplier.as_('supplier'),
            split.service.as_('service'), Sum(split.amount).as_('amount'),
            where=where,
            group_by=[payment.company, split.supplier, split.service])


    @classmethod
    def read(cls, ids, fields_names):
        "The sums in kopecks (SQLite's SUM gives a float)."
        rows = super().read(ids, fields_names)
        for row in rows:
            if row.get('amount') is not None:
                row['amount'] = Decimal(str(row['amount'])).quantize(CENT)
        return rows


def transfer_csv(transfers, from_date, to_date):
    "The CSV file of transfer rows: supplier, its tax number, service, sum."
    output = io.StringIO(newline='')
    writer = csv.writer(output, delimiter=';', lineterminator='\r\n')
    writer.writerow(['Поставщик', 'ИНН', 'Услуга', 'Период с',
            'Период по', 'Сумма'])
    total = 0
    for transfer in transfers:
        party = transfer.supplier
        writer.writerow([
                party.rec_name, party.tax_identifier.code
                if party.tax_identifier else '',
                transfer.service.rec_name if transfer.service else '',
                from_date.strftime('%d.%m.%Y') if from_date else '',
                to_date.strftime('%d.%m.%Y') if to_date else '',
                str(transfer.amount).replace('.', ',')])
        total += transfer.amount
    writer.writerow(['Итого', '', '', '', '', str(total).replace('.', ',')])
    return output.getvalue().encode('utf-8-sig')


class TransferReport(Report):
    __name__ = 'housing.payment.transfer.csv'

    @classmethod
    def execute(cls, ids, data):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        Transfer = pool.get('housing.payment.transfer')
        action, = ActionReport.search([('report_name', '=', cls.__name__)])
        cls.check_access(action, Transfer.__name__, ids)
        context = Transaction().context
        transfers = Transfer.browse(ids) if ids else Transfer.search([])
        content = transfer_csv(
            transfers, context.get('from_date'), context.get('to_date'))
        return 'csv', content, False, action.name
