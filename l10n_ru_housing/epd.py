# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The ЕПД page: the example form of Order 43/пр of the Ministry of
Construction (sections 1-5, penalties on their own line) with the content
ПП354 п. 69 requires, drawn with reportlab.

The page's fixed frame (titles, column heads, rules) is drawn once per
document as a form XObject; the QR code is zxing-cpp's bit matrix drawn as
vector rectangles (ARCHITECTURE.md «Libraries chosen»)."""
import io
import re

import zxingcpp
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from housing_billing.pdf import (
    FONT,
    format_date,
    format_number,
    register_fonts,
)

MONTHS = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль',
    'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь']
REASONS = {
    'temporary_absence': "Временное отсутствие потребителя",
    'late_readings': "Показания приборов учёта",
    'past_period_correction': "Корректировка прошлого периода",
    'soi_negative_carry': "Перенос отрицательного объёма КР на СОИ",
    'soi_annual_recalculation': "Годовая корректировка КР на СОИ",
    'heating_annual_correction': "Годовая корректировка за отопление",
    'quality': "Ненадлежащее качество или перерывы",
    'residents_change': "Изменение числа проживающих",
    'meter_change': "Установка или снятие прибора учёта",
    'tariff_correction': "Корректировка тарифа или норматива",
    'service_validity': "Изменение периода оказания услуги",
    'manual': "Иное",
    }
WIDTH, HEIGHT = A4
LEFT, RIGHT = 10 * mm, WIDTH - 10 * mm
QR_SIZE = 34 * mm
FRAME = 'epd_frame'
# One face only: each font embeds its own subset in every account's PDF
# (measured: 132 documents a second and 60 kB with the bold face, 164 and
# 36 kB without), so emphasis is by size.
BOLD = FONT
# Section 3 columns: (left edge, title lines, right aligned)
COLUMNS = [
    (LEFT, ["Вид услуги"], False),
    (LEFT + 52 * mm, ["Ед.", "изм."], False),
    (LEFT + 64 * mm, ["Объём", "индивид."], True),
    (LEFT + 82 * mm, ["Объём", "ОДН"], True),
    (LEFT + 98 * mm, ["Тариф,", "руб."], True),
    (LEFT + 116 * mm, ["Начислено,", "руб."], True),
    (LEFT + 136 * mm, ["Перерас-", "чёты"], True),
    (LEFT + 154 * mm, ["Льготы,", "снижения"], True),
    (LEFT + 172 * mm, ["Итого,", "руб."], True),
    ]
TABLE_TOP = HEIGHT - 104 * mm
ROW = 4.2 * mm


# The characters every document's font subset holds, in a fixed order: the
# subsets, and so the embedded font files, are then the same in every
# account's PDF and are made and compressed once per process (measured: the
# subset and its compression were a third of an account's PDF).
ALPHABET = (
    ' 0123456789.,:;!?()[]/\\%-+=*"\'№«»−–—²³'
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
    'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ'
    'абвгдеёжзийклмнопрстуфхцчшщъыьэюя')
_SUBSETS = {}
DARK = re.compile(b'\\x00+')
_COMPRESSED = {}


class _CachedCompress(pdfdoc.PDFStreamFilterZCompress):
    "Compress once the streams that repeat from document to document."

    def encode(self, text):
        if isinstance(text, str):
            text = text.encode('utf8')
        result = _COMPRESSED.get(text)
        if result is None:
            result = super().encode(text)
            if len(_COMPRESSED) > 64:
                _COMPRESSED.pop(next(iter(_COMPRESSED)))
            _COMPRESSED[text] = result
        return result


def _cache_font(name):
    "Memoize the font subsets of name (by their characters)."
    face = pdfmetrics.getFont(name).face
    if getattr(face, '_housing_cached', False):
        return
    make_subset = face.makeSubset

    def cached(subset):
        key = (name, tuple(subset))
        if key not in _SUBSETS:
            _SUBSETS[key] = make_subset(subset)
        return _SUBSETS[key]
    face.makeSubset = cached
    face._housing_cached = True


def period_name(period):
    return '%s %s' % (MONTHS[period.month - 1], period.year)


def money(value):
    return format_number(value, 2)


def quantity(value):
    if value is None:
        return ''
    return format_number(value, 3)


def qr_matrix(text):
    """(size, bytes) of the QR code of text, one byte a module, 0 dark."""
    barcode = zxingcpp.create_barcode(
        text, zxingcpp.BarcodeFormat.QRCode, ec_level='M')
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))
    return image.shape[0], image.tobytes()


def draw_qr(canvas, text, x, y, size):
    """The QR code of text in the square of side size whose lower left is
    x, y: one filled path of a rectangle per run of dark modules, written
    as PDF operators in module units (reportlab's path objects format
    every number as a float, six times slower)."""
    n, cells = qr_matrix(text)
    module = size / n
    ops = ['%d %d %d 1 re' % (match.start() - offset, n - 1 - row,
            match.end() - match.start())
        for row, offset in enumerate(range(0, n * n, n))
        for match in DARK.finditer(cells, offset, offset + n)]
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.transform(module, 0, 0, module, x, y)
    canvas._code.append('\n'.join(ops) + ' f')
    canvas.restoreState()


def _frame(canvas):
    "The fixed part of every page, drawn once as a form XObject."
    canvas.beginForm(FRAME)
    canvas.setLineWidth(0.5)
    canvas.setFont(BOLD, 7)
    canvas.drawString(LEFT, HEIGHT - 22 * mm,
        "1. Сведения о плательщике и исполнителе услуг")
    canvas.drawString(LEFT, HEIGHT - 48 * mm,
        "2. Информация для внесения платы получателю платежа")
    canvas.drawString(LEFT, TABLE_TOP + 6 * mm,
        "3. Расчёт размера платы за содержание и ремонт жилого помещения "
        "и коммунальные услуги")
    canvas.setFont(FONT, 6)
    top = TABLE_TOP + 4 * mm
    canvas.line(LEFT, top, RIGHT, top)
    for x, lines, right in COLUMNS:
        for i, text in enumerate(lines):
            ty = top - (3 + 2.6 * i) * mm
            if right:
                canvas.drawRightString(x + 17 * mm, ty, text)
            else:
                canvas.drawString(x + 1, ty, text)
    canvas.line(LEFT, TABLE_TOP - 2 * mm, RIGHT, TABLE_TOP - 2 * mm)
    canvas.endForm()


def _right(canvas, x, y, text):
    canvas.drawRightString(x, y, text)


def draw_receipt(canvas, receipt):
    """One page. receipt: a dict with 'data' (ReceiptData), 'payee' (dict),
    'qr' (text), 'amount' (Итого к оплате), 'include_penalty',
    'announcement', 'portal', 'debt_notice', 'date', 'version'."""
    data, payee = receipt['data'], receipt['payee']
    canvas.doForm(FRAME)
    canvas.setFont(BOLD, 10)
    canvas.drawString(LEFT, HEIGHT - 12 * mm,
        "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ за %s" % period_name(data.period))
    canvas.setFont(FONT, 6.5)
    canvas.drawRightString(RIGHT, HEIGHT - 12 * mm,
        "Сформирован %s, версия %s" % (
            format_date(receipt['date']), receipt.get('version') or 1))
    canvas.drawString(LEFT, HEIGHT - 16 * mm,
        "Расчётный период: %s" % period_name(data.period))
    x = LEFT + 28 * mm
    for label, text, dy in [
            ("Плательщик:", data.payer, 27),
            ("Адрес:", data.address[:90], 31),
            ("Лицевой счёт:", data.number, 35),
            ("Площадь, м²:", format_number(data.area, 2)
                if data.area is not None else '', 39),
            ("Зарегистрировано:", str(data.residents), 43)]:
        canvas.drawString(LEFT, HEIGHT - dy * mm, label)
        canvas.drawString(x, HEIGHT - dy * mm, text)
    x = LEFT + 118 * mm
    y = HEIGHT - 27 * mm
    canvas.drawString(LEFT + 100 * mm, y, "Исполнитель:")
    for text in [payee.get('name'), payee.get('address'),
            payee.get('phone'), payee.get('email'), payee.get('website')]:
        if text:
            canvas.drawString(x, y, text[:60])
            y -= 3.2 * mm
    portal = receipt.get('portal')
    if portal:
        canvas.drawString(x, y, "Личный кабинет: %s, логин %s" % (
                portal, data.number))
    # Section 2
    x = LEFT + 50 * mm
    for label, text, dy in [
            ("Получатель:", payee.get('name', ''), 53),
            ("ИНН / КПП:", '%s / %s' % (
                    payee.get('inn', ''), payee.get('kpp', '')), 57),
            ("Расчётный счёт:", payee.get('account', ''), 61),
            ("Банк:", payee.get('bank', ''), 65),
            ("БИК / корр. счёт:", '%s / %s' % (payee.get('bic', ''),
                    payee.get('correspondent', '')), 69)]:
        canvas.drawString(LEFT, HEIGHT - dy * mm, label)
        canvas.drawString(x, HEIGHT - dy * mm, text)
    amount_x = LEFT + 95 * mm
    for label, value, dy in [
            ("Начислено за период:", data.period_total, 75),
            ("Долг (+) / аванс (−) на начало периода:",
                data.opening_balance, 79),
            ("Оплачено в периоде:", data.payments, 83)]:
        canvas.drawString(LEFT, HEIGHT - dy * mm, label)
        _right(canvas, amount_x, HEIGHT - dy * mm, money(value))
    if data.last_payment_date:
        canvas.drawString(amount_x + 2 * mm, HEIGHT - 83 * mm,
            '(последняя оплата %s)' % format_date(data.last_payment_date))
    canvas.setFont(BOLD, 8)
    canvas.drawString(LEFT, HEIGHT - 88 * mm, "Итого к оплате:")
    _right(canvas, amount_x, HEIGHT - 88 * mm, money(receipt['amount']))
    canvas.setFont(FONT, 6.5)
    if data.penalty_due and not receipt.get('include_penalty'):
        canvas.drawString(LEFT, HEIGHT - 92 * mm,
            "Пени к оплате (отдельно): %s" % money(data.penalty_due))
    if data.other:
        canvas.drawString(LEFT + 60 * mm, HEIGHT - 92 * mm,
            "Прочие операции в периоде: %s" % money(data.other))
    draw_qr(canvas, receipt['qr'], RIGHT - QR_SIZE, HEIGHT - 93 * mm,
        QR_SIZE)
    # Section 3
    y = TABLE_TOP - 6 * mm
    canvas.setFont(FONT, 6.5)
    for row in data.rows:
        cells = [row.service[:34], row.unit, quantity(row.quantity),
            quantity(row.quantity_common),
            format_number(row.tariff, 2) if row.tariff is not None else '',
            money(row.accrued), money(row.recalculation),
            money(row.reduction), money(row.total)]
        for (cx, _, right), text in zip(COLUMNS, cells):
            if right:
                canvas.drawRightString(cx + 17 * mm, y, text)
            else:
                canvas.drawString(cx + 1, y, text)
        y -= ROW
    canvas.line(LEFT, y + ROW - 1.5 * mm, RIGHT, y + ROW - 1.5 * mm)
    canvas.setFont(BOLD, 6.5)
    canvas.drawString(LEFT + 1, y - 0.5 * mm, "Всего за период")
    for cx, value in [
            (COLUMNS[5][0], data.accrued), (COLUMNS[6][0],
                data.recalculation),
            (COLUMNS[7][0], data.reduction), (COLUMNS[8][0],
                data.period_total)]:
        canvas.drawRightString(cx + 17 * mm, y - 0.5 * mm, money(value))
    y -= ROW + 1 * mm
    canvas.setFont(FONT, 6.5)
    canvas.drawString(LEFT + 1, y,
        "Пени за просрочку оплаты, начислено в периоде: %s" % money(
            data.penalties))
    y -= ROW * 1.5
    # Section 4: readings
    if data.readings:
        canvas.setFont(BOLD, 7)
        canvas.drawString(LEFT, y,
            "4. Справочная информация: показания приборов учёта")
        y -= ROW
        canvas.setFont(FONT, 6.5)
        for reading in data.readings:
            canvas.drawString(LEFT + 1, y, "%s, № %s: предыдущие %s (%s), "
                "текущие %s (%s)" % (reading.service, reading.meter,
                    quantity(reading.previous),
                    format_date(reading.previous_date),
                    quantity(reading.current),
                    format_date(reading.current_date)))
            y -= ROW
        y -= ROW / 2
    # Section 5: recalculations
    if data.recalculations:
        canvas.setFont(BOLD, 7)
        canvas.drawString(LEFT, y, "5. Сведения о перерасчётах")
        y -= ROW
        canvas.setFont(FONT, 6.5)
        for line in data.recalculations:
            corrected = ('за %s' % line.corrected_period.strftime('%m.%Y')
                if line.corrected_period else '')
            canvas.drawString(LEFT + 1, y, '%s: %s %s' % (
                    line.service, REASONS.get(line.reason,
                        line.reason or REASONS['manual']), corrected))
            canvas.drawRightString(RIGHT, y, money(line.amount))
            y -= ROW
        y -= ROW / 2
    if receipt.get('debt_notice'):
        canvas.setFont(BOLD, 7)
        canvas.drawString(LEFT, y, "Уведомление о задолженности: "
            "на конец периода не оплачено %s руб. за прошлые периоды."
            % money(data.debt))
        y -= ROW
        canvas.setFont(FONT, 6.5)
        canvas.drawString(LEFT, y, "Просим погасить задолженность. "
            "При неоплате начисляются пени (ЖК РФ ст. 155 ч. 14), "
            "возможны ограничение услуг и взыскание в судебном порядке.")
        y -= ROW * 1.5
    announcement = receipt.get('announcement')
    if announcement:
        canvas.setFont(BOLD, 7)
        canvas.drawString(LEFT, y, "Объявление")
        y -= ROW
        canvas.setFont(FONT, 6.5)
        for text in announcement.splitlines()[:12]:
            canvas.drawString(LEFT + 1, y, text[:140])
            y -= ROW
    canvas.showPage()


def render(receipts):
    "A PDF (bytes) of the receipts, one page each."
    register_fonts()
    _cache_font(FONT)
    pdfdoc.PDFZCompress = _CachedCompress()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdfmetrics.getFont(FONT).splitString(ALPHABET, canvas._doc)
    canvas.setTitle("ЕПД")
    _frame(canvas)
    for receipt in receipts:
        draw_receipt(canvas, receipt)
    canvas.save()
    return buffer.getvalue()
