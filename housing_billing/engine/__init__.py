"""Pure-Python calculation kernel of the housing billing suite.

No trytond import, ``Decimal`` throughout (no binary floats). Given a
snapshot of one premises for one period it returns charge lines, each with
its method, inputs, rounding per row (ROUND_HALF_UP to the kopeck) and an
explanation in Russian and English. Shaped like python-stdnum: one small
module per legal rule, each naming the paragraph of ПП354 / ЖК РФ it
implements and carrying its worked example as a doctest:

=================== ==========================================================
``rounding``        money rounding, largest-remainder distribution (§0.2)
``periods``         billing month, day counts, day spans (ПП354 п. 37)
``params``          dated values (tariffs, normatives, K, rates) as data
``workdays``        production calendar, ГК 193 workday shift
``meter``           formula 1, zones, roll-over, п. 81 commissioning
``normative``       formula 4, person-days, owners (п. 56(2)), K
``average``         п. 59–61 average fall-back and reconciliation
``heating``         formulas 2, 2(1), 3, annual correction (п. 42(1))
``common_property`` КР на СОИ: cap, negative imbalance, distribution (п. 44)
``waste``           ТКО per person / per m² (разд. XV(1), п. 86(1))
``housing``         area, per-premises, bands, fixed component (ЖК 154, 158)
``hot_water``       one-part and two-component tariffs (п. 38)
``sewage``          водоотведение = ХВС + ГВС (п. 42)
``pricing``         day-split pricing when a parameter changes (§2.5)
``recalculation``   recompute-and-diff, temporary absence (разд. VIII)
``reductions``      quality reductions with the cap (Appendix 1, п. 98)
``penalties``       пени, ЖК 155 ч. 14/14.1, rates, moratoria, due days
``allocation``      payments to periods and services (Пленум 22 п. 32)
``statement``       ЕПД totals (п. 69, 43/пр)
``qr``              ГОСТ Р 56042-2014 payment string
``bank_account``    control key of bank accounts
``registry``        bank payment registries
``calculate``       ``calculate(snapshot) -> list[ChargeLine]``
=================== ==========================================================
"""
from .calculate import calculate, carried_forward
from .lines import Basis, ChargeLine, Kind, Method, Reason
from .params import DatedValue, MissingParameter, Timeline
from .periods import DaySpan, Period
from .recalculation import diff, recalculate
from .snapshot import (
                       Absence,
                       AverageLimits,
                       Building,
                       CarriedAmount,
                       ManualCharge,
                       Meter,
                       PeriodVolume,
                       Policy,
                       PremisesSnapshot,
                       QualityEvent,
                       QualityNorm,
                       Reading,
                       Resident,
                       Resource,
                       Service,
                       SoiBalance,
)

__all__ = [
    'calculate', 'carried_forward', 'recalculate', 'diff', 'ChargeLine',
    'Method', 'Kind', 'Reason', 'Basis', 'Timeline', 'DatedValue',
    'MissingParameter', 'Period', 'DaySpan', 'PremisesSnapshot', 'Resident',
    'Absence', 'Reading', 'PeriodVolume', 'Meter', 'Service', 'SoiBalance',
    'Building', 'Policy', 'AverageLimits', 'ManualCharge', 'CarriedAmount',
    'QualityEvent', 'QualityNorm', 'Resource',
]
