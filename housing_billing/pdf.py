# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""What every PDF of the suite shares: the Cyrillic font and number formats.

reportlab's built-in fonts have no Cyrillic: the documents are drawn with
DejaVu Sans from Debian's fonts-dejavu-core (``./dev`` installs it), or the
folder ``[housing] font_path`` of the configuration names.
"""
import os
from decimal import ROUND_HALF_UP, Decimal

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from trytond import config

FONT = 'DejaVuSans'
FONT_BOLD = 'DejaVuSans-Bold'
FONT_FOLDERS = [
    '/usr/share/fonts/truetype/dejavu',
    '/usr/share/fonts/dejavu',
    '/usr/local/share/fonts/dejavu',
    ]
_FILES = {
    FONT: 'DejaVuSans.ttf',
    FONT_BOLD: 'DejaVuSans-Bold.ttf',
    }


class FontMissing(Exception):
    pass


def font_folders():
    folder = config.get('housing', 'font_path', default=None)
    return ([folder] if folder else []) + FONT_FOLDERS


def register_fonts():
    "Register DejaVu Sans (regular and bold) with reportlab once"
    registered = pdfmetrics.getRegisteredFontNames()
    for name, filename in _FILES.items():
        if name in registered:
            continue
        for folder in font_folders():
            path = os.path.join(folder, filename)
            if os.path.exists(path):
                pdfmetrics.registerFont(TTFont(name, path))
                break
        else:
            raise FontMissing(
                "%s not found in %s: install fonts-dejavu-core or set "
                "[housing] font_path" % (filename, ', '.join(font_folders())))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def format_number(value, digits=2):
    """Russian number format: thin groups by a no-break space, decimal comma

    >>> format_number(Decimal('1234567.5'))
    '1\\xa0234\\xa0567,50'
    >>> format_number(Decimal('-0.005'))
    '-0,01'
    >>> format_number(12, 0)
    '12'
    """
    if value is None:
        return ''
    value = Decimal(value).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = '{:,.{digits}f}'.format(value, digits=digits)
    return text.replace(',', '\xa0').replace('.', ',')


def format_date(value):
    return value.strftime('%d.%m.%Y') if value else ''
