# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""An amount of money in Russian words, as acts and invoices print it:
rubles in words, kopecks in digits."""
from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

RUBLE = ('рубль', 'рубля', 'рублей')
KOPECK = ('копейка', 'копейки', 'копеек')


def plural(number, forms):
    """The Russian form of a noun after number: one, few, many

    >>> [plural(n, RUBLE) for n in (1, 2, 5, 11, 12, 21, 22, 25, 111)]
    ['рубль', 'рубля', 'рублей', 'рублей', 'рублей', 'рубль', 'рубля', \
'рублей', 'рублей']
    """
    number = abs(int(number))
    if number % 10 == 1 and number % 100 != 11:
        return forms[0]
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return forms[1]
    return forms[2]


def amount_in_words(amount):
    """The amount in rubles in words and kopecks in digits

    >>> amount_in_words(Decimal('1234.56'))
    'Одна тысяча двести тридцать четыре рубля 56 копеек'
    >>> amount_in_words(Decimal('1'))
    'Один рубль 00 копеек'
    >>> amount_in_words(Decimal('2.01'))
    'Два рубля 01 копейка'
    >>> amount_in_words(Decimal('5.02'))
    'Пять рублей 02 копейки'
    >>> amount_in_words(Decimal('21'))
    'Двадцать один рубль 00 копеек'
    >>> amount_in_words(Decimal('1000'))
    'Одна тысяча рублей 00 копеек'
    >>> amount_in_words(Decimal('0.5'))
    'Ноль рублей 50 копеек'
    >>> amount_in_words(Decimal('-3'))
    'Минус три рубля 00 копеек'
    """
    amount = Decimal(amount).quantize(Decimal('0.01'), ROUND_HALF_UP)
    negative = amount < 0
    rubles, kopecks = divmod(int(abs(amount) * 100), 100)
    words = num2words(rubles, lang='ru')
    if negative:
        words = 'минус ' + words
    text = '%s %s %02d %s' % (
        words, plural(rubles, RUBLE), kopecks, plural(kopecks, KOPECK))
    return text[0].upper() + text[1:]
