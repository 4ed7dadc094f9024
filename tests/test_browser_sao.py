# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The staff web client (sao) end to end: an accountant logs in on a demo
database, opens Housing / Housing Stock / Premises from the menu and sees
the generated premises.

Always on SQLite, whatever backend the suite runs on; skipped only on the
PostgreSQL run, as CI runs the suite once per backend."""
import os
import time
from types import SimpleNamespace

import pytest

from tests import browser

ACCOUNTS = 30
DATABASE = 'sao'
LOGIN = PASSWORD = 'accountant'
MODEL = 'housing.premises'
TIMEOUT = 30

if (os.environ.get('TRYTOND_DATABASE_URI')
        or os.environ.get('TRYTOND_DATABASE__URI')
        or '').startswith('postgresql'):
    pytest.skip('the web client test runs once, on the SQLite run of the '
        'suite', allow_module_level=True)


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    """A trytond serving sao on a new demo database, what the accountant
    should see read back through RPC, and a headless chromium."""
    directory = tmp_path_factory.mktemp('sao')
    server = browser.Server(browser.Instance(directory / 'db', DATABASE))
    driver = None
    try:
        failure = None
        try:
            expected = prepare(server)
            driver = browser.start_chromium(directory / 'chromium')
        except (browser.SetupError, browser.RPCError) as error:
            failure = error
        if failure:
            pytest.fail('set-up of the web client test: %s' % failure,
                pytrace=False)
        driver.implicitly_wait(0)
        driver.set_page_load_timeout(TIMEOUT)
        yield SimpleNamespace(
            server=server, driver=driver, expected=expected)
    finally:
        if driver:
            driver.quit()
        server.stop()


def prepare(server):
    """Build the demo database, start the server and read back, as the
    accountant, what the page should show."""
    if not (browser.SAO_ROOT / 'index.html').is_file():
        raise browser.SetupError('the web client is missing in %s: '
            './dev test (its setup_sao) installs it' % browser.SAO_ROOT)
    browser.find_chromium()
    # ./dev test keys DB_CACHE by the content of the module.
    cache = (os.path.join(os.environ['DB_CACHE'], 'browser-sao-ru.sqlite')
        if os.environ.get('DB_CACHE') else None)
    server.instance.create_demo(ACCOUNTS, cache=cache)
    server.start()
    rpc = server.login(LOGIN, PASSWORD)
    return SimpleNamespace(
        menu=menu_path(rpc),
        addresses={b['address'] for b in rpc.model('housing.building',
                'search_read', [], 0, None, None, ['address'])},
        count=rpc.model(MODEL, 'search_count', []),
        )


def menu_path(rpc):
    """The names of the menu entries, from the root down to the one that
    opens the premises' list, as the user sees them."""
    menus = {m['id']: m for m in rpc.model('ir.ui.menu', 'search_read',
            [], 0, None, None, ['name', 'parent', 'action'])}
    windows = {w['id'] for w in rpc.model('ir.action.act_window',
            'search_read', [('res_model', '=', MODEL)], 0, None, None,
            ['id'])}
    leaves = [m for m in menus.values()
        if m['action'] in {'ir.action.act_window,%s' % w for w in windows}]
    assert len(leaves) == 1, 'menu entries of %s: %s' % (MODEL, leaves)
    path = leaves
    while path[0]['parent'] is not None:
        path.insert(0, menus[path[0]['parent']])
    return [m['name'] for m in path]


class Page:
    "The steps of the test on sao's page, waiting for each to show."

    def __init__(self, driver):
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait
        self.driver = driver
        self.wait = WebDriverWait(driver, TIMEOUT, poll_frequency=0.1,
            ignored_exceptions=[StaleElementReferenceException])

    def visible(self, selector):
        from selenium.webdriver.support import expected_conditions as ec
        return self.wait.until(ec.visibility_of_element_located(
                ('css selector', selector)), 'no visible %s' % selector)

    def log_in(self, url, database, login, password):
        from selenium.webdriver.common.keys import Keys
        self.driver.get('%s#%s' % (url, database))
        self.visible('.login-dialog input#login').send_keys(
            login, Keys.ENTER)
        self.visible('.ask-dialog input#ask-dialog-entry').send_keys(
            password, Keys.ENTER)
        # The main menu replaces the dialogs once the session is open.
        self.wait.until(lambda d: not d.find_elements(
                'css selector', '.login-dialog, .ask-dialog'),
            'the log-in dialogs stayed open')

    def menu_row(self, name):
        def found(driver):
            for row in driver.find_elements('css selector', '#menu tr'):
                if row.is_displayed() and row.text.strip() == name:
                    return row
        return self.wait.until(found, 'no menu entry %r' % name)

    def open_menu(self, names):
        for name in names:
            self.menu_row(name).click()

    def tab(self):
        "The long title of the active tab and the texts of its list's rows."
        pane = self.visible('#tabcontent .tab-pane.active')
        title = pane.find_element('css selector', '.title-long')
        rows = pane.find_elements('css selector', 'table.tree > tbody > tr')
        return (title.get_attribute('textContent').strip(),
            [r.text for r in rows if r.is_displayed()])

    def screenshot(self, path):
        self.driver.save_screenshot(str(path))
        return path


def test_accountant_opens_premises(demo, tmp_path):
    expected = demo.expected
    assert expected.count > 0, 'the generator made no premises'
    page = Page(demo.driver)
    started = time.monotonic()
    try:
        page.log_in(demo.server.url, DATABASE, LOGIN, PASSWORD)
        page.open_menu(expected.menu)
        page.wait.until(lambda d: any(address in row
                for row in page.tab()[1] for address in expected.addresses),
            'no row with an address of %s' % sorted(expected.addresses))
        title, rows = page.tab()
        assert title == ' / '.join(expected.menu), (title, expected.menu)
        assert 0 < len(rows) <= expected.count, (len(rows), expected.count)
    except Exception as error:
        shot = page.screenshot(tmp_path / 'failure.png')
        raise AssertionError('%s\nscreenshot: %s\nend of %s:\n%s' % (
                error, shot, demo.server.log,
                browser.tail(demo.server.log, 20))) from error
    shot = page.screenshot(tmp_path / 'premises.png')
    print('%s rows of %s premises shown in %.1f s; screenshot: %s' % (
            len(rows), expected.count, time.monotonic() - started, shot))
