# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The consumption of a meter month by month as an inline SVG bar chart,
drawn on the server: no script, readable by screen readers (a title and a
description listing the figures)."""
import datetime as dt
from decimal import Decimal

from markupsafe import Markup

WIDTH = 720
HEIGHT = 180
MARGIN = 24


def months_between(start, end):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + dt.timedelta(days=32)).replace(day=1)


def consumption_chart(consumption, start, end, label, language):
    "consumption: {first day of month: Decimal}"
    months = list(months_between(start, end))
    values = [consumption.get(m, Decimal(0)) for m in months]
    top = max(values + [Decimal(0)]) or Decimal(1)
    step = (WIDTH - 2 * MARGIN) / max(len(months), 1)
    bar = max(step * 0.7, 1)
    parts = [Markup(
            '<svg class="chart" viewBox="0 0 %s %s" role="img" '
            'aria-label="%s" preserveAspectRatio="none"><title>%s</title>'
            '<line x1="%s" y1="%s" x2="%s" y2="%s" class="axis"/>') % (
            WIDTH, HEIGHT, label, label, MARGIN, HEIGHT - MARGIN,
            WIDTH - MARGIN, HEIGHT - MARGIN)]
    for index, (month, value) in enumerate(zip(months, values)):
        height = float(value / top) * (HEIGHT - 2 * MARGIN)
        x = MARGIN + index * step + (step - bar) / 2
        text = '%s: %s' % (month.strftime('%m.%Y'), format_value(
                value, language))
        parts.append(Markup(
                '<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f">'
                '<title>%s</title></rect>') % (
                x, HEIGHT - MARGIN - height, bar, height, text))
        if month.month == 1:
            parts.append(Markup(
                    '<text x="%.1f" y="%s" class="year">%s</text>') % (
                    x, HEIGHT - 6, month.year))
    parts.append(Markup('<text x="%s" y="14" class="top">%s</text></svg>')
        % (MARGIN, format_value(top, language)))
    return Markup('').join(parts)


def format_value(value, language):
    text = format(Decimal(value).quantize(Decimal('0.001')).normalize(), 'f')
    return text.replace('.', ',') if language == 'ru' else text
