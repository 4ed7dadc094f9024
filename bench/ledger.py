# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The ledger of a demo company: the association's chart of accounts
(l10n_ru_housing), fiscal years with monthly periods, the revenue accounts of
the services' products, the accrual journal and the penalty services
(housing on 62.02 and 91.01, capital repair on 76.03 and 86.02), so that the
accountant can post accrual runs that charge penalties."""
import argparse
import datetime as dt

from trytond.config import update_etc
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

CHART = 'l10n_ru_housing.account_root'
REVENUE = 'l10n_ru_housing.account_90_01'
# Capital repair contributions are target financing, not revenue (94н).
CAPITAL_REPAIR = 'l10n_ru_housing.account_86_01'
PRINCIPALS = 'l10n_ru_housing.account_76_01'
# (code, name, credit account, receivable or None for 62.02) of the penalty
# services: ЖК 155 ч. 14 and, for capital repair contributions, ч. 14.1
PENALTY_SERVICES = {
    'penalty_service': (
        'PENI', "Пени", 'l10n_ru_housing.account_91_01', None),
    'capital_repair_penalty_service': (
        'PENI_KR', "Пени по взносам на капитальный ремонт",
        'l10n_ru_housing.account_86_02', 'l10n_ru_housing.account_76_03'),
    }
CATEGORY_NAME = "Жилищно-коммунальные услуги"


def activated():
    Module = Pool().get('ir.module')
    return bool(Module.search([
                ('name', '=', 'l10n_ru_housing'),
                ('state', '=', 'activated'),
                ]))


def record(xml_id, model):
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    module, name = xml_id.split('.')
    return pool.get(model)(ModelData.get_id(module, name))


def account(company, xml_id):
    "The company's account created from the template xml_id."
    Account = Pool().get('account.account')
    template = record(xml_id, 'account.account.template')
    found, = Account.search([
            ('template', '=', template.id), ('company', '=', company.id)])
    return found


def in_transaction(database, user, func, *args, context=None):
    """Run func in a transaction of its own and commit, restarting it as
    Tryton's RPC does when it needs a table lock (creating a singleton)."""
    extras = {}
    while True:
        try:
            with Transaction().start(
                    database, user, context=context, **extras) as transaction:
                result = func(*args)
                transaction.commit()
                return result
        except TransactionError as error:
            error.fix(extras)


def setup_ledger(company, first_year, last_year):
    """Idempotent: does nothing the company already has.
    Run it with in_transaction: it creates singletons."""
    if not activated():
        return
    create_chart(company)
    for year in range(first_year, last_year + 1):
        create_fiscalyear(company, year)
    set_revenue_accounts(company)
    set_accrual_journal()
    set_payment_accounts(company)
    set_penalty_services(company)


def create_chart(company):
    pool = Pool()
    Account = pool.get('account.account')
    CreateChart = pool.get('account.create_chart', type='wizard')
    if Account.search([('company', '=', company.id)], limit=1):
        return
    session_id, _, _ = CreateChart.create()
    wizard = CreateChart(session_id)
    wizard.account.account_template = record(
        CHART, 'account.account.template')
    wizard.account.company = company
    wizard.transition_create_account()
    properties = wizard.properties
    defaults = wizard.states['properties'].get_defaults(
        wizard, 'properties', list(properties._fields.keys()))
    for name, value in defaults.items():
        if name in properties._fields:
            setattr(properties, name, value)
    properties.account_receivable = account(
        company, 'l10n_ru_housing.account_62_01')
    properties.account_payable = account(
        company, 'l10n_ru_housing.account_60')
    wizard.transition_create_properties()
    CreateChart.delete(session_id)


def create_fiscalyear(company, year):
    pool = Pool()
    FiscalYear = pool.get('account.fiscalyear')
    Sequence = pool.get('ir.sequence.strict')
    SequenceType = pool.get('ir.sequence.type')
    ModelData = pool.get('ir.model.data')
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if FiscalYear.search([
                ('company', '=', company.id),
                ('start_date', '<=', end), ('end_date', '>=', start),
                ]):
        return
    sequence_type = SequenceType(ModelData.get_id(
            'account', 'sequence_type_account_move'))
    sequence, = Sequence.create([{
                'name': "Проводки %s" % year,
                'sequence_type': sequence_type.id,
                'company': company.id,
                }])
    invoices, = Sequence.create([{
                'name': "Счета %s" % year,
                'sequence_type': ModelData.get_id(
                    'account_invoice', 'sequence_type_account_invoice'),
                'company': company.id,
                }])
    fiscalyear, = FiscalYear.create([{
                'name': str(year), 'company': company.id,
                'start_date': start, 'end_date': end,
                'move_sequence': sequence.id,
                }])
    # The invoices of legal entities (housing_billing's legal_entity).
    pool.get('account.fiscalyear.invoice_sequence').write(
        list(fiscalyear.invoice_sequences), {
            'out_invoice_sequence': invoices.id,
            'out_credit_note_sequence': invoices.id,
            'in_invoice_sequence': invoices.id,
            'in_credit_note_sequence': invoices.id,
            })
    FiscalYear.create_period([fiscalyear])


def set_revenue_accounts(company):
    pool = Pool()
    Category = pool.get('product.category')
    Service = pool.get('housing.service')
    Template = pool.get('product.template')
    with Transaction().set_context(company=company.id):
        category = Category.search([('name', '=', CATEGORY_NAME)], limit=1)
        if not category:
            category = Category.create([{
                        'name': CATEGORY_NAME, 'accounting': True,
                        'account_revenue': account(company, REVENUE).id,
                        }])
        category, = category
        for service in Service.search([('company', '=', company.id)]):
            template = service.product.template
            if not template.account_category:
                Template.write([template], {'account_category': category.id})
            if service.kind == 'agent' and service.supplier:
                set_principal_payable(company, service.supplier)
            if service.kind == 'capital_repair' and not (
                    service.credit_account):
                Service.write([service], {
                        'credit_account': account(company, CAPITAL_REPAIR).id})


def set_principal_payable(company, supplier):
    "What is collected for a principal is owed to it on 76.01."
    Party = Pool().get('party.party')
    with Transaction().set_context(company=company.id):
        supplier = Party(supplier.id)
        if not supplier.account_payable:
            supplier.account_payable = account(company, PRINCIPALS)
            supplier.save()


def set_accrual_journal():
    pool = Pool()
    Configuration = pool.get('housing.configuration')
    configuration = Configuration(1)
    if not configuration.accrual_journal:
        configuration.accrual_journal = record(
            'account.journal_revenue', 'account.journal')
        configuration.save()


def set_payment_accounts(company):
    "The journal and accounts of payments (50, 51) and of penalties (62.02)"
    pool = Pool()
    Configuration = pool.get('housing.configuration')
    configuration = Configuration(1)
    if not configuration.payment_journal:
        configuration.payment_journal = record(
            'account.journal_cash', 'account.journal')
    if not configuration.payment_cash_account:
        configuration.payment_cash_account = account(
            company, 'l10n_ru_housing.account_50')
    if not configuration.payment_bank_account:
        configuration.payment_bank_account = account(
            company, 'l10n_ru_housing.account_51')
    if not configuration.penalty_receivable_account:
        configuration.penalty_receivable_account = account(
            company, 'l10n_ru_housing.account_62_02')
    configuration.save()


def set_penalty_services(company):
    "The penalty services of the company, as its accountant sets them up"
    pool = Pool()
    Configuration = pool.get('housing.configuration')
    Service = pool.get('housing.service')
    Template = pool.get('product.template')
    ModelData = pool.get('ir.model.data')
    configuration = Configuration(1)
    unit = ModelData.get_id('product', 'uom_unit')
    for name, (code, title, credit, receivable) in PENALTY_SERVICES.items():
        if configuration.get_multivalue(name, company=company.id):
            continue
        template, = Template.create([{
                    'name': title, 'type': 'service', 'default_uom': unit,
                    'products': [('create', [{}])],
                    }])
        service, = Service.create([{
                    'company': company.id, 'name': title, 'code': code,
                    'product': template.products[0].id, 'unit': unit,
                    'kind': 'one_off', 'method': 'manual',
                    'credit_account': account(company, credit).id,
                    }])
        setattr(configuration, name, service)
        if receivable:
            configuration.capital_repair_penalty_receivable_account = (
                account(company, receivable))
    configuration.save()


def reading_years():
    "The years the demo data spans, and the next one, to post in."
    Reading = Pool().get('housing.meter.reading')
    dates = [r.date for r in Reading.search(
            [], order=[('date', 'ASC')], limit=1)]
    dates += [r.date for r in Reading.search(
            [], order=[('date', 'DESC')], limit=1)]
    today = Pool().get('ir.date').today()
    first = min(dates).year if dates else today.year
    last = max(dates).year if dates else today.year
    return first, last + 1


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--config', required=True)
    parser.add_argument('--database', required=True)
    args = parser.parse_args()
    update_etc(args.config)
    Pool.start()
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0):
        context = pool.get('res.user').get_preferences(context_only=True)
        company = context.get('company')
        if company is None:
            company, = pool.get('company.company').search([], limit=1)
            company = company.id

    def setup():
        first, last = reading_years()
        setup_ledger(pool.get('company.company')(company), first, last)
        return first, last

    first, last = in_transaction(
        args.database, 0, setup, context=dict(context, company=company))
    print("ledger: chart of accounts, fiscal years %s-%s" % (first, last))


if __name__ == '__main__':
    main()
