# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The ЕПД page drawn from figures alone: every section present, the QR
decoded back."""
import datetime as dt
import io
import unittest
from decimal import Decimal

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from housing_billing.receipt import qr_payload
from housing_billing.receipt_data import (
    ReadingRow,
    RecalculationRow,
    ReceiptData,
    ServiceRow,
)
from l10n_ru_housing import epd

D = dt.date
PAYEE = {
    'name': 'ООО «УК Пример»', 'inn': '7701234567', 'kpp': '770101001',
    'account': '40702810200000012345', 'bank': 'ПАО Сбербанк',
    'bic': '044525225', 'correspondent': '30101810400000000225',
    'address': 'г. Пример, ул. Ленина, 1', 'phone': '+7 900 000-00-00',
    }


def figures():
    data = ReceiptData(account=1, number='1000234567', period=D(2026, 3, 1),
        building_address='ул. Садовая, д. 1', premises='5',
        payer='Иванов Иван Иванович', area=Decimal('54.30'), residents=2)
    data.rows = [
        ServiceRow('Холодное водоснабжение', 'м³', Decimal('7.5'), None,
            Decimal('49.87'), Decimal('374.03'), Decimal('-99.74'),
            Decimal('0.00')),
        ServiceRow('ХВС на СОИ', 'м³', None, Decimal('0.12'),
            Decimal('49.87'), Decimal('5.98'), Decimal('0.00'),
            Decimal('0.00')),
        ServiceRow('Отопление', 'Гкал', Decimal('1.2'), None,
            Decimal('2500.00'), Decimal('3000.00'), Decimal('0.00'),
            Decimal('-150.00')),
        ]
    data.recalculations = [RecalculationRow('Холодное водоснабжение',
            'temporary_absence', D(2026, 1, 1), Decimal('-99.74'))]
    data.readings = [ReadingRow('Холодное водоснабжение', 'X-123',
            Decimal('101'), D(2026, 2, 25), Decimal('108.5'),
            D(2026, 3, 25))]
    data.opening_balance = Decimal('-200.00')
    return data


class EpdTestCase(unittest.TestCase):
    "Test the ЕПД layout"

    def test_sections(self):
        "Rows, totals, readings and recalculations with their basis"
        data = figures()
        self.assertEqual(data.period_total, Decimal('3130.27'))
        self.assertEqual(data.total_due, Decimal('2930.27'))
        amount = data.amount_to_pay()
        qr = qr_payload(PAYEE, data, amount)
        pdf = epd.render([{
                    'data': data, 'payee': PAYEE, 'amount': amount,
                    'qr': qr, 'date': D(2026, 4, 1), 'version': 1,
                    'announcement': 'Плановое отключение 5 апреля',
                    }])
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(
            '\xa0', ' ')
        for expected in [
                'ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ за март 2026',
                'Сформирован 01.04.2026, версия 1',
                'Холодное водоснабжение', 'ХВС на СОИ', '0,120',
                '3 130,27', '-200,00', '2 930,27',
                'Холодное водоснабжение, № X-123: предыдущие 101,000 '
                '(25.02.2026), текущие 108,500 (25.03.2026)',
                'Холодное водоснабжение: Временное отсутствие потребителя '
                'за 01.2026',
                'Плановое отключение 5 апреля']:
            self.assertIn(expected, text)
        self.assertNotIn('Уведомление о задолженности', text)
        page = pypdfium2.PdfDocument(pdf)[0]
        self.assertEqual([b.text for b in zxingcpp.read_barcodes(
                    page.render(scale=3).to_pil())], [qr])
        self.assertIn('Sum=293027', qr)

    def test_capital_repair_penalties_apart(self):
        "The penalties on capital repair contributions are shown apart"
        data = figures()
        data.penalties = Decimal('50.66')
        data.penalties_capital_repair = Decimal('20.58')
        amount = data.amount_to_pay()
        pdf = epd.render([{
                    'data': data, 'payee': PAYEE, 'amount': amount,
                    'qr': qr_payload(PAYEE, data, amount),
                    'date': D(2026, 4, 1), 'version': 1}])
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(
            '\xa0', ' ')
        self.assertIn(
            'Пени за просрочку оплаты, начислено в периоде: 50,66', text)
        self.assertIn('в т. ч. по взносам на капитальный ремонт '
            '(ЖК РФ ст. 155 ч. 14.1): 20,58', text)

    def test_characters_outside_the_subset(self):
        "A name with letters the fixed font subset lacks, and ( ) \\"
        data = figures()
        data.payer = 'Müller-Ğülşen (Иванова) a\\b'
        amount = data.amount_to_pay()
        pdf = epd.render([{
                    'data': data, 'payee': PAYEE, 'amount': amount,
                    'qr': qr_payload(PAYEE, data, amount),
                    'date': D(2026, 4, 1), 'version': 1,
                    'announcement': 'Собрание (очное) в 19:00'}])
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        self.assertIn('Müller-Ğülşen (Иванова) a\\b', text)
        self.assertIn('Собрание (очное) в 19:00', text)
        self.assertIn('Итого к оплате: 2 930,27', text)
