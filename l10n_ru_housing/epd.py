# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The ЕПД page: the example form of Order 43/пр of the Ministry of
Construction (sections 1-5, penalties on their own line) with the content
ПП354 п. 69 requires, drawn with reportlab.

The page's fixed frame (titles, column heads, rules) is drawn once per
document as a form XObject; the QR code is zxing-cpp's bit matrix drawn as
a one-bit image, a pixel a module (ARCHITECTURE.md «Libraries chosen»)."""
import io

import zxingcpp
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
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
_WIDTHS = {}
# A module of zxing-cpp's image (0 dark, 255 light) as a bit of a
# DeviceGray image (0 black).
_BITS = bytes.maketrans(b'\x00\xff', b'01')
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
    """Memoize the font subsets of name (by their characters) and the
    formatting of their widths (256 numbers each formatted by reportlab's
    objects: a tenth of a page's time)."""
    font = pdfmetrics.getFont(name)
    face = font.face
    if getattr(face, '_housing_cached', False):
        return
    make_subset = face.makeSubset
    add_objects = font.addObjects

    def cached(subset):
        key = (name, tuple(subset))
        if key not in _SUBSETS:
            _SUBSETS[key] = make_subset(subset)
        return _SUBSETS[key]

    def add_cached_objects(doc):
        add_objects(doc)
        for pdf_font in doc.idToObject['BasicFonts'].dict.values():
            widths = getattr(pdf_font, 'Widths', None)
            if isinstance(widths, pdfdoc.PDFArray):
                key = tuple(widths.sequence)
                if key not in _WIDTHS:
                    if len(_WIDTHS) > 64:
                        _WIDTHS.clear()
                    _WIDTHS[key] = widths.format(doc)
                # formatted as they are: bytes
                pdf_font.Widths = _WIDTHS[key]
    face.makeSubset = cached
    font.addObjects = add_cached_objects
    face._housing_cached = True


class _Text:
    """The strings of a page as one text object written as PDF operators in
    the codes of the fixed font subset (reportlab's drawString begins a
    text object, splits the string into subsets and escapes it each time:
    most of a page's drawing). A string with a character outside the
    subset is drawn by reportlab, which extends the subset."""

    def __init__(self, canvas):
        self.canvas = canvas
        font = pdfmetrics.getFont(FONT)
        self.name = font.getSubsetInternalName(0, canvas._doc)
        self.table = _code_table(font, canvas._doc)
        self.ops = []
        self.size = None
        self.tf = None
        self.width = font.stringWidth

    def set_font(self, name, size):
        assert name == FONT
        self.size = size
        self.tf = '%s %s Tf' % (self.name, size)

    def draw(self, x, y, text):
        "text at x, y: each string its own BT … ET, as reportlab writes it"
        encoded = text.translate(self.table)
        if not encoded.isascii():
            self.canvas.setFont(FONT, self.size)
            self.canvas.drawString(x, y, text)
            return
        self.ops.append('BT %s 1 0 0 1 %.2f %.2f Tm (%s) Tj ET' % (
                self.tf, x, y, encoded))

    def draw_right(self, x, y, text):
        self.draw(x - self.width(text, self.size), y, text)

    def flush(self):
        self.canvas._code.append('\n'.join(self.ops))
        self.ops = []


_TABLES = {}


def _code_table(font, doc):
    """{character: its code in the subset, escaped for a PDF string}, of
    the characters the document's subset holds."""
    assignments = font.state[doc].assignments
    key = tuple(sorted(assignments.items()))
    table = _TABLES.get(key)
    if table is None:
        table = {}
        for char, code in assignments.items():
            if code >> 8:
                continue
            if code in b'()\\':
                table[char] = '\\' + chr(code)
            elif 32 <= code < 127:
                table[char] = chr(code)
            else:
                table[char] = '\\%03o' % code
        table[0xa0] = table[32]
        for control in range(32):
            table.setdefault(control, ' ')
        _TABLES.clear()
        _TABLES[key] = table
    return table


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
    x, y: the bit matrix as a one-bit inline image of one pixel a module,
    scaled without interpolation, so every module stays a sharp square
    (rectangles for the runs of dark modules cost 0.8 ms a page: 2,700
    operators for an ЕПД's code, against 0.05 ms)."""
    n, cells = qr_matrix(text)
    pad = b'1' * (-n % 8)
    bits = b''.join(cells[i:i + n].translate(_BITS) + pad
        for i in range(0, n * n, n))
    data = int(bits, 2).to_bytes(len(bits) // 8, 'big')
    canvas._code.append(
        'q %s 0 0 %s %s %s cm BI /W %d /H %d /BPC 1 /CS /G /I false '
        '/F /AHx ID %s> EI Q' % (
            fp_str(size), fp_str(size), fp_str(x), fp_str(y), n, n,
            data.hex()))


def _frame(canvas):
    "The fixed part of every page, drawn once as a form XObject."
    canvas.beginForm(FRAME)
    canvas.setLineWidth(0.5)
    t = _Text(canvas)
    t.set_font(BOLD, 7)
    t.draw(LEFT, HEIGHT - 22 * mm,
        "1. Сведения о плательщике и исполнителе услуг")
    t.draw(LEFT, HEIGHT - 48 * mm,
        "2. Информация для внесения платы получателю платежа")
    t.draw(LEFT, TABLE_TOP + 6 * mm,
        "3. Расчёт размера платы за содержание и ремонт жилого помещения "
        "и коммунальные услуги")
    t.set_font(FONT, 6)
    top = TABLE_TOP + 4 * mm
    canvas.line(LEFT, top, RIGHT, top)
    for x, lines, right in COLUMNS:
        for i, text in enumerate(lines):
            ty = top - (3 + 2.6 * i) * mm
            if right:
                t.draw_right(x + 17 * mm, ty, text)
            else:
                t.draw(x + 1, ty, text)
    canvas.line(LEFT, TABLE_TOP - 2 * mm, RIGHT, TABLE_TOP - 2 * mm)
    t.flush()
    canvas.endForm()


def draw_receipt(canvas, receipt):
    """One page. receipt: a dict with 'data' (ReceiptData), 'payee' (dict),
    'qr' (text), 'amount' (Итого к оплате), 'include_penalty',
    'announcement', 'portal', 'debt_notice', 'date', 'version', and with
    housing_portal 'portal_login' and 'portal_password'."""
    data, payee = receipt['data'], receipt['payee']
    canvas.doForm(FRAME)
    t = _Text(canvas)
    t.set_font(BOLD, 10)
    t.draw(LEFT, HEIGHT - 12 * mm,
        "ЕДИНЫЙ ПЛАТЁЖНЫЙ ДОКУМЕНТ за %s" % period_name(data.period))
    t.set_font(FONT, 6.5)
    t.draw_right(RIGHT, HEIGHT - 12 * mm,
        "Сформирован %s, версия %s" % (
            format_date(receipt['date']), receipt.get('version') or 1))
    t.draw(LEFT, HEIGHT - 16 * mm,
        "Расчётный период: %s" % period_name(data.period))
    x = LEFT + 28 * mm
    for label, text, dy in [
            ("Плательщик:", data.payer, 27),
            ("Адрес:", data.address[:90], 31),
            ("Лицевой счёт:", data.number, 35),
            ("Площадь, м²:", format_number(data.area, 2)
                if data.area is not None else '', 39),
            ("Зарегистрировано:", str(data.residents), 43)]:
        t.draw(LEFT, HEIGHT - dy * mm, label)
        t.draw(x, HEIGHT - dy * mm, text or '')
    x = LEFT + 118 * mm
    y = HEIGHT - 27 * mm
    t.draw(LEFT + 100 * mm, y, "Исполнитель:")
    for text in [payee.get('name'), payee.get('address'),
            payee.get('phone'), payee.get('email'), payee.get('website')]:
        if text:
            t.draw(x, y, text[:60])
            y -= 3.2 * mm
    portal = receipt.get('portal')
    if portal:
        t.draw(x, y, "Личный кабинет: %s, логин %s" % (
                portal, receipt.get('portal_login') or data.number))
        if receipt.get('portal_password'):
            # Until the first log-in (housing_portal), which changes it.
            y -= 3.2 * mm
            t.draw(x, y, "Первый пароль: %s (сменить при входе)"
                % receipt['portal_password'])
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
        t.draw(LEFT, HEIGHT - dy * mm, label)
        t.draw(x, HEIGHT - dy * mm, text)
    amount_x = LEFT + 95 * mm
    for label, value, dy in [
            ("Начислено за период:", data.period_total, 75),
            ("Долг (+) / аванс (−) на начало периода:",
                data.opening_balance, 79),
            ("Оплачено в периоде:", data.payments, 83)]:
        t.draw(LEFT, HEIGHT - dy * mm, label)
        t.draw_right(amount_x, HEIGHT - dy * mm, money(value))
    if data.last_payment_date:
        t.draw(amount_x + 2 * mm, HEIGHT - 83 * mm,
            '(последняя оплата %s)' % format_date(data.last_payment_date))
    t.set_font(BOLD, 8)
    t.draw(LEFT, HEIGHT - 88 * mm, "Итого к оплате:")
    t.draw_right(amount_x, HEIGHT - 88 * mm, money(receipt['amount']))
    t.set_font(FONT, 6.5)
    if data.penalty_due and not receipt.get('include_penalty'):
        t.draw(LEFT, HEIGHT - 92 * mm,
            "Пени к оплате (отдельно): %s" % money(data.penalty_due))
    if data.other:
        t.draw(LEFT + 60 * mm, HEIGHT - 92 * mm,
            "Прочие операции в периоде: %s" % money(data.other))
    draw_qr(canvas, receipt['qr'], RIGHT - QR_SIZE, HEIGHT - 93 * mm,
        QR_SIZE)
    # Section 3
    y = TABLE_TOP - 6 * mm
    for row in data.rows:
        cells = [row.service[:34], row.unit, quantity(row.quantity),
            quantity(row.quantity_common),
            format_number(row.tariff, 2) if row.tariff is not None else '',
            money(row.accrued), money(row.recalculation),
            money(row.reduction), money(row.total)]
        for (cx, _, right), text in zip(COLUMNS, cells):
            if not text:
                continue
            if right:
                t.draw_right(cx + 17 * mm, y, text)
            else:
                t.draw(cx + 1, y, text)
        y -= ROW
    canvas.line(LEFT, y + ROW - 1.5 * mm, RIGHT, y + ROW - 1.5 * mm)
    t.set_font(BOLD, 6.5)
    t.draw(LEFT + 1, y - 0.5 * mm, "Всего за период")
    for cx, value in [
            (COLUMNS[5][0], data.accrued), (COLUMNS[6][0],
                data.recalculation),
            (COLUMNS[7][0], data.reduction), (COLUMNS[8][0],
                data.period_total)]:
        t.draw_right(cx + 17 * mm, y - 0.5 * mm, money(value))
    y -= ROW + 1 * mm
    t.set_font(FONT, 6.5)
    t.draw(LEFT + 1, y,
        "Пени за просрочку оплаты, начислено в периоде: %s" % money(
            data.penalties))
    if data.penalties_capital_repair:
        t.draw(LEFT + 95 * mm, y,
            "в т. ч. по взносам на капитальный ремонт "
            "(ЖК РФ ст. 155 ч. 14.1): %s" % money(
                data.penalties_capital_repair))
    y -= ROW * 1.5
    # Section 4: readings
    if data.readings:
        t.set_font(BOLD, 7)
        t.draw(LEFT, y,
            "4. Справочная информация: показания приборов учёта")
        y -= ROW
        t.set_font(FONT, 6.5)
        for reading in data.readings:
            t.draw(LEFT + 1, y, "%s, № %s: предыдущие %s (%s), "
                "текущие %s (%s)" % (reading.service, reading.meter,
                    quantity(reading.previous),
                    format_date(reading.previous_date),
                    quantity(reading.current),
                    format_date(reading.current_date)))
            y -= ROW
        y -= ROW / 2
    # Section 5: recalculations
    if data.recalculations:
        t.set_font(BOLD, 7)
        t.draw(LEFT, y, "5. Сведения о перерасчётах")
        y -= ROW
        t.set_font(FONT, 6.5)
        for line in data.recalculations:
            corrected = ('за %s' % line.corrected_period.strftime('%m.%Y')
                if line.corrected_period else '')
            t.draw(LEFT + 1, y, '%s: %s %s' % (
                    line.service, REASONS.get(line.reason,
                        line.reason or REASONS['manual']), corrected))
            t.draw_right(RIGHT, y, money(line.amount))
            y -= ROW
        y -= ROW / 2
    if receipt.get('debt_notice'):
        t.set_font(BOLD, 7)
        t.draw(LEFT, y, "Уведомление о задолженности: "
            "на конец периода не оплачено %s руб. за прошлые периоды."
            % money(data.debt))
        y -= ROW
        t.set_font(FONT, 6.5)
        t.draw(LEFT, y, "Просим погасить задолженность. "
            "При неоплате начисляются пени (ЖК РФ ст. 155 ч. 14), "
            "возможны ограничение услуг и взыскание в судебном порядке.")
        y -= ROW * 1.5
    announcement = receipt.get('announcement')
    if announcement:
        t.set_font(BOLD, 7)
        t.draw(LEFT, y, "Объявление")
        y -= ROW
        t.set_font(FONT, 6.5)
        for text in announcement.splitlines()[:12]:
            t.draw(LEFT + 1, y, text[:140])
            y -= ROW
    t.flush()
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
