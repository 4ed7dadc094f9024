# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Run Tryton's scenario doctests (tests/scenario_*.rst) as pytest items,
with the set-up and tear-down and the checker Tryton's own runner uses."""
import doctest
import os
import unittest

import pytest


def pytest_collect_file(parent, file_path):
    if file_path.suffix == '.rst' and file_path.name.startswith('scenario_'):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    def runtest(self):
        from trytond.backend import name as backend_name
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL,
            doctest_checker,
            doctest_setup,
            doctest_teardown,
        )
        flags = (doctest.REPORT_ONLY_FIRST_FAILURE | doctest.ELLIPSIS
            | doctest.IGNORE_EXCEPTION_DETAIL)
        if backend_name == 'sqlite':
            flags |= STRIP_DECIMAL
        cwd = os.getcwd()
        os.chdir(self.path.parent)
        try:
            suite = doctest.DocFileSuite(
                self.path.name, module_relative=False, globs={},
                setUp=doctest_setup, tearDown=doctest_teardown,
                encoding='utf-8', checker=doctest_checker,
                optionflags=flags)
            result = suite.run(unittest.TestResult())
        finally:
            os.chdir(cwd)
        if result.errors or result.failures:
            raise ScenarioFailure(
                '\n'.join(text for _, text in result.errors + result.failures))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, 'scenario: %s' % self.name


class ScenarioFailure(Exception):
    pass
