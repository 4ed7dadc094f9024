# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Legal entities: a customer invoice and an act for every posted month.

A personal account marked «legal entity» (a company paying for its
non-residential premises) is not posted as a bare receivable line of the
run's bulk move: its charges of the month (penalties apart, which stay in
the bulk move on their own receivable account) become a Tryton customer
invoice, one line per service, posted with the run. The invoice's move
carries the personal account on its receivable line, so the account's
balance, the reports and the run's ledger check see it as any other
account. The act of services rendered (акт оказанных услуг) prints the
invoice with its amount in words."""
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .accrual import CreditSum, month_end
from .amount_words import amount_in_words
from .bulk import as_decimal, as_money
from .exceptions import LegalEntityError
from .pdf import FONT, FONT_BOLD, format_date, format_number, register_fonts
from .receivable import payers_at

LATIN_ALNUM = re.compile('[0-9A-Za-z]+')

CENT = Decimal('0.01')
PRICE = Decimal('0.0001')


class Account(metaclass=PoolMeta):
    __name__ = 'housing.account'

    legal_entity = fields.Boolean(
        "Legal Entity",
        help="The payer is a company: each posted month is a customer "
        "invoice with an act of services rendered.")
    invoices = fields.One2Many(
        'account.invoice', 'housing_account', "Invoices", readonly=True)


class Run(metaclass=PoolMeta):
    __name__ = 'housing.accrual.run'

    invoices = fields.One2Many(
        'account.invoice', 'housing_run', "Invoices", readonly=True)

    @classmethod
    def finish_posting(cls, runs):
        cls.post_invoices(runs)
        super().finish_posting(runs)

    def ledger_origins(self):
        return super().ledger_origins() + [
            str(i) for i in self.invoices if i.move]

    def invoiced_charges(self):
        """{account id: [(building, service, kind, quantity, tariff,
        amount)]}: the charges of the run's legal entity accounts that
        their invoice carries (penalties apart), for the accounts whose
        month is worth more than zero."""
        pool = Pool()
        charge = pool.get('housing.charge').__table__()
        account = pool.get('housing.account').__table__()
        cursor = Transaction().connection.cursor()
        # The legal entities first (a few accounts), then their charges
        # by the index on account: not the run's million charges joined
        # to every account.
        cursor.execute(*account.select(account.id,
                where=(account.legal_entity == True)  # noqa: E712
                & (account.company == self.company.id),
                order_by=[account.id]))
        ids = [i for i, in cursor]
        result = defaultdict(list)
        for sub_ids in grouped_slice(ids, 1000):
            cursor.execute(*charge.select(
                    charge.account, charge.building, charge.service,
                    charge.kind, charge.quantity, charge.tariff,
                    charge.amount,
                    where=(charge.run == self.id)
                    & charge.account.in_(list(sub_ids))
                    & (charge.kind != 'penalty'),
                    order_by=[charge.account, charge.service, charge.id]))
            for (account_id, building, service, kind, quantity, tariff,
                    amount) in cursor:
                result[account_id].append((building, service, kind,
                        as_decimal(quantity), as_decimal(tariff),
                        as_money(amount)))
        return {a: rows for a, rows in result.items()
            if sum(r[-1] for r in rows) > 0}

    def charge_sums(self, buildings=None):
        "The bulk move leaves out what the invoices post."
        receivables, credits = super().charge_sums(buildings)
        invoiced = self.invoiced_charges()
        if not invoiced:
            return receivables, credits
        by_key = defaultdict(Decimal)
        for rows in invoiced.values():
            for building, service, kind, _, _, amount in rows:
                by_key[building, service, kind] += amount
        for building in list(receivables):
            kept = [r for r in receivables[building]
                if r.penalty or r.account not in invoiced]
            if kept:
                receivables[building] = kept
            else:
                del receivables[building]
        for building, sums in credits.items():
            credits[building] = [CreditSum(c.service, c.kind,
                    c.amount - by_key.get((building, c.service.id, c.kind),
                        Decimal(0)))
                for c in sums]
        return receivables, credits

    @classmethod
    def post_invoices(cls, runs):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoices = []
        for run in runs:
            invoices.extend(run.get_invoices())
        if not invoices:
            return
        with without_check_access(), \
                Transaction().set_context(_skip_warnings=True):
            Invoice.save(invoices)
            Invoice.post(invoices)

    def get_invoices(self):
        "The customer invoices of the run's legal entity accounts"
        pool = Pool()
        Account = pool.get('housing.account')
        Service = pool.get('housing.service')
        Configuration = pool.get('housing.configuration')
        invoiced = self.invoiced_charges()
        if not invoiced:
            return []
        journal = Configuration(1).accrual_journal
        date = month_end(self.period)
        payers = payers_at(list(invoiced), date, self.company.id)
        services = {s.id: s for s in Service.browse(list(
                    {r[1] for rows in invoiced.values() for r in rows}))}
        invoices = []
        for account in Account.browse(sorted(invoiced)):
            payer = payers.get(account.id)
            if not payer:
                raise LegalEntityError(gettext(
                        'housing_billing.msg_accrual_no_payer',
                        account=account.number, date=date.isoformat()))
            invoices.append(self.get_invoice(
                    account, payer, journal, date,
                    invoiced[account.id], services))
        return invoices

    def get_invoice(self, account, payer, journal, date, rows, services):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Party = pool.get('party.party')
        party = Party(payer.party)
        address = party.address_get(type='invoice')
        if not address:
            raise LegalEntityError(gettext(
                    'housing_billing.msg_legal_entity_no_address',
                    party=party.rec_name, account=account.number))
        invoice = Invoice(
            company=self.company, type='out', party=party,
            invoice_address=address,
            account=payer.receivable, journal=journal,
            currency=self.company.currency,
            invoice_date=date, accounting_date=date,
            payment_term_date=date,
            housing_account=account, housing_run=self,
            description=gettext(
                'housing_billing.msg_legal_entity_invoice_description',
                period=self.period.strftime('%m.%Y'),
                account=account.number))
        by_service = defaultdict(list)
        for row in rows:
            by_service[row[1]].append(row)
        lines = []
        for sequence, service_id in enumerate(sorted(
                    by_service, key=lambda s: services[s].rec_name), 1):
            service = services[service_id]
            amount = sum(r[-1] for r in by_service[service_id])
            if not amount:
                continue
            lines.append(self.get_invoice_line(
                    invoice, sequence, service, by_service[service_id],
                    amount))
        invoice.lines = lines
        return invoice

    def get_invoice_line(self, invoice, sequence, service, rows, amount):
        "One line per service: its quantity and tariff when they give amount"
        InvoiceLine = Pool().get('account.invoice.line')
        quantity, unit_price = invoice_quantity(rows, amount)
        account, _ = self.credit_key(CreditSum(service, 'charge', amount))
        # No product: the service names its ledger account itself, where
        # the product's accounting category may have none (account_invoice
        # checks the product's taxes on post). One unit at the amount is no
        # volume of the service: no unit then.
        by_volume = quantity is not None
        return InvoiceLine(
            invoice=invoice, type='line', sequence=sequence,
            description='%s, %s' % (
                service.rec_name, self.period.strftime('%m.%Y')),
            quantity=float(quantity if by_volume else 1),
            unit=service.unit if by_volume else None,
            unit_price=unit_price, account=account,
            housing_service=service, taxes=[])


def invoice_quantity(rows, amount):
    """(quantity, unit price) of an invoice line whose amount is amount:
    the volume and its tariff when the lines agree on the tariff and they
    give amount to the kopeck, else (None, amount): one unit at amount.

    >>> D = Decimal
    >>> invoice_quantity([(0, 0, 'charge', D('12.5'), D('40'), D('500'))],
    ...     D('500'))
    (Decimal('12.5'), Decimal('40'))
    >>> invoice_quantity([(0, 0, 'charge', D('3'), D('10'), D('30')),
    ...     (0, 0, 'recalculation', D('-1'), D('10'), D('-5'))], D('25'))
    (None, Decimal('25'))
    """
    tariffs = {r[4] for r in rows}
    quantity = sum((r[3] or Decimal(0)) for r in rows)
    if len(tariffs) == 1 and None not in tariffs and quantity:
        tariff, = tariffs
        if (quantity * tariff).quantize(CENT, ROUND_HALF_UP) == amount:
            if tariff == tariff.quantize(PRICE):
                return quantity, tariff
    return None, amount


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    housing_account = fields.Many2One(
        'housing.account', "Personal Account", readonly=True,
        ondelete='RESTRICT')
    housing_run = fields.Many2One(
        'housing.accrual.run', "Accrual Run", readonly=True,
        ondelete='RESTRICT')

    def _get_move_line(self, date, amount):
        line = super()._get_move_line(date, amount)
        line.housing_account = self.housing_account
        return line

    def _format_customer_payment_reference_creditor_reference(self, source):
        # ISO 11649 references are Latin letters and digits: an invoice
        # numbered in Cyrillic ("А-1") has none. Tryton's check digits fail
        # on it, and with them the printing of the posted invoice.
        number = self._customer_payment_reference_number_alnum(source)
        if number and not LATIN_ALNUM.fullmatch(number):
            return None
        return super()._format_customer_payment_reference_creditor_reference(
            source)


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    housing_service = fields.Many2One(
        'housing.service', "Housing Service", readonly=True,
        ondelete='RESTRICT')

    @classmethod
    def _account_domain(cls, type_):
        "Agent services are credited to the supplier's payable account."
        domain = super()._account_domain(type_)
        if type_ == 'out':
            domain = domain + [('type.payable', '=', True)]
        return domain

    def get_move_lines(self):
        lines = super().get_move_lines()
        service = self.housing_service
        if service and service.kind == 'agent':
            for line in lines:
                line.party = service.supplier
        return lines


class Act(Report):
    "Act of Services Rendered"
    __name__ = 'housing.legal_entity.act'

    @classmethod
    def _execute(cls, records, header, data, action):
        return 'pdf', cls.render(records)

    @classmethod
    def render(cls, invoices):
        register_fonts()
        styles = {
            'title': ParagraphStyle(
                'title', fontName=FONT_BOLD, fontSize=12, leading=15,
                alignment=1),
            'text': ParagraphStyle(
                'text', fontName=FONT, fontSize=9, leading=12),
            'bold': ParagraphStyle(
                'bold', fontName=FONT_BOLD, fontSize=9, leading=12),
            'cell': ParagraphStyle(
                'cell', fontName=FONT, fontSize=8, leading=10),
            'number': ParagraphStyle(
                'number', fontName=FONT, fontSize=8, leading=10,
                alignment=2),
            }
        content = BytesIO()
        document = SimpleDocTemplate(
            content, pagesize=A4, title=ACT_TITLE,
            leftMargin=15 * mm, rightMargin=15 * mm,
            topMargin=15 * mm, bottomMargin=15 * mm)
        story = []
        for invoice in invoices:
            if story:
                story.append(PageBreak())
            story.extend(cls.act(invoice, styles))
        document.build(story)
        return content.getvalue()

    @classmethod
    def act(cls, invoice, styles):
        company = invoice.company
        title = '%s № %s от %s' % (
            ACT_TITLE, invoice.number or '',
            format_date(invoice.invoice_date))
        story = [Paragraph(escape(title), styles['title']),
            Spacer(1, 6 * mm)]
        for label, party in [
                ("Исполнитель", company.party),
                ("Заказчик", invoice.party)]:
            story.append(Paragraph('<b>%s:</b> %s' % (
                        label, escape(party_line(party))), styles['text']))
        if invoice.housing_account:
            account = invoice.housing_account
            story.append(Paragraph('<b>%s:</b> %s, %s' % (
                        "Лицевой счёт", escape(account.number),
                        escape(account.premises.rec_name)), styles['text']))
        story.append(Spacer(1, 4 * mm))
        rows = [[Paragraph(h, styles['cell']) for h in (
                    "№", "Наименование услуги", "Кол-во", "Ед.", "Цена, ₽",
                    "Сумма, ₽")]]
        lines = [il for il in invoice.lines if il.type == 'line']
        for i, line in enumerate(lines, 1):
            rows.append([
                    Paragraph(str(i), styles['cell']),
                    Paragraph(escape(line.description or ''), styles['cell']),
                    Paragraph(format_number(line.quantity, 3).rstrip('0')
                        .rstrip(','), styles['number']),
                    Paragraph(escape(line.unit.symbol if line.unit else ''),
                        styles['cell']),
                    Paragraph(format_number(line.unit_price, 4)
                        .rstrip('0').rstrip(',') if line.unit_price % 1
                        else format_number(line.unit_price),
                        styles['number']),
                    Paragraph(format_number(line.amount), styles['number']),
                    ])
        rows.append(['', Paragraph('<b>Итого</b>', styles['cell']), '', '',
                '', Paragraph('<b>%s</b>' % format_number(
                        invoice.total_amount), styles['number'])])
        table = Table(rows, colWidths=[
                8 * mm, 82 * mm, 20 * mm, 14 * mm, 24 * mm, 30 * mm],
            repeatRows=1)
        table.setStyle(TableStyle([
                    ('GRID', (0, 0), (-1, -2), 0.3, colors.grey),
                    ('BACKGROUND', (0, 0), (-1, 0), colors.whitesmoke),
                    ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                    ]))
        story += [table, Spacer(1, 4 * mm)]
        story.append(Paragraph(escape(
                    "Всего оказано услуг %s, на сумму %s ₽. НДС не "
                    "облагается." % (len(lines),
                        format_number(invoice.total_amount))),
                styles['text']))
        story.append(Paragraph(escape(
                    amount_in_words(invoice.total_amount)), styles['bold']))
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(escape(
                    "Вышеперечисленные услуги оказаны полностью и в срок. "
                    "Заказчик претензий по объёму, качеству и срокам "
                    "оказания услуг не имеет."), styles['text']))
        story.append(Spacer(1, 10 * mm))
        signatures = Table([[
                    Paragraph('<b>Исполнитель</b>', styles['text']),
                    Paragraph('<b>Заказчик</b>', styles['text'])], [
                    Paragraph(escape(company.party.rec_name), styles['text']),
                    Paragraph(escape(invoice.party.rec_name),
                        styles['text'])], [
                    Paragraph('_' * 20 + ' / ' + '_' * 16, styles['text']),
                    Paragraph('_' * 20 + ' / ' + '_' * 16, styles['text'])],
                ['М.П.', 'М.П.']], colWidths=[90 * mm, 90 * mm])
        table_font = TableStyle([('FONTNAME', (0, 0), (-1, -1), FONT),
                ('FONTSIZE', (0, 0), (-1, -1), 8)])
        signatures.setStyle(table_font)
        story.append(signatures)
        return story


ACT_TITLE = "Акт оказанных услуг"


def party_line(party):
    "The name and the INN of a party, as an act names it."
    codes = [i.code for i in getattr(party, 'identifiers', [])
        if i.type in {'ru_vat', 'ru_inn'}]
    text = party.rec_name
    if codes:
        text += ', ИНН %s' % codes[0]
    address = party.address_get() if hasattr(party, 'address_get') else None
    if address and address.full_address:
        text += ', ' + ' '.join(address.full_address.split())
    return text


def escape(text):
    return (str(text).replace('&', '&amp;').replace('<', '&lt;')
        .replace('>', '&gt;'))


