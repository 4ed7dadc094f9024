# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""The resident portal end to end in headless chromium, on a demo database
billed for a month (bench/demo_month.py) whose residents got their log-ins
from bench/demo_portal.py: first log-in and the password change, a meter
reading, the history chart, receipts, the payment QR, the profile with the
e-mail verified through an SMTP server on loopback, the phone and a notice
by SMS chosen, the password reset, linking a second account, English, a
phone-sized screen, and probes of another resident's pages.

Always on SQLite, whatever backend the suite runs on; skipped only on the
PostgreSQL run, as CI runs the suite once per backend."""
import os
import re
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from tests import browser

ACCOUNTS = 12
DATABASE = 'portal'
MODULES = ('housing_portal', 'l10n_ru_housing')
TIMEOUT = 30
NEW_PASSWORD = 'moy-parol-2026'

if (os.environ.get('TRYTOND_DATABASE_URI')
        or os.environ.get('TRYTOND_DATABASE__URI')
        or '').startswith('postgresql'):
    pytest.skip('the portal browser test runs once, on the SQLite run of '
        'the suite', allow_module_level=True)


class MailInstance(browser.Instance):
    "An instance whose trytond sends its mail to an SMTP server on loopback."
    smtp_port = None

    def settings(self):
        settings = super().settings()
        if self.smtp_port:
            settings['email', 'uri'] = 'smtp://127.0.0.1:%s' % self.smtp_port
            settings['email', 'from'] = 'tsj@example.ru'
        return settings


class Inbox:
    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        messages = self.messages = []

        class Handler(Message):
            def handle_message(self, message):
                messages.append(message)

        self.port = browser.free_port()
        self.controller = Controller(Handler(), hostname='127.0.0.1',
            port=self.port)
        self.controller.start()

    def link(self, count):
        "The link of the count-th message, once it has arrived."
        import time
        deadline = time.monotonic() + TIMEOUT
        while len(self.messages) < count:
            assert time.monotonic() < deadline, 'no mail arrived'
            time.sleep(0.1)
        body = self.messages[count - 1].get_payload(decode=True).decode()
        return re.search(r'https?://\S+', body).group(0)

    def stop(self):
        self.controller.stop()


@pytest.fixture(scope='module')
def portal(tmp_path_factory):
    directory = tmp_path_factory.mktemp('portal')
    instance = MailInstance(directory / 'db', DATABASE)
    server = browser.Server(instance)
    inbox = Inbox()
    instance.smtp_port = inbox.port
    drivers = []
    try:
        failure = None
        try:
            residents = prepare(server)
            browser.find_chromium()
        except (browser.SetupError, browser.RPCError) as error:
            failure = error
        if failure:
            pytest.fail('set-up of the portal test: %s' % failure,
                pytrace=False)

        def start(width=1280, height=900):
            driver = browser.start_chromium(
                directory / ('chromium-%s' % len(drivers)), width, height)
            driver.set_page_load_timeout(TIMEOUT)
            drivers.append(driver)
            return driver
        yield SimpleNamespace(server=server, residents=residents,
            start=start, inbox=inbox, directory=directory,
            url=server.url + DATABASE + '/portal/')
    finally:
        for driver in drivers:
            driver.quit()
        server.stop()
        inbox.stop()


def prepare(server):
    """The demo database billed for a month, the log-ins of demo_portal.py
    and, read through RPC as the accountant, what the pages should show."""
    instance = server.instance
    cache = (os.path.join(os.environ['DB_CACHE'], 'browser-portal-ru.sqlite')
        if os.environ.get('DB_CACHE') else None)
    instance.create_demo(ACCOUNTS, cache=cache, modules=MODULES)
    instance.script('bench/ledger.py')
    instance.script('bench/demo_month.py', '--months', '1')
    output = instance.script('bench/demo_portal.py')
    logins = re.findall(r'Log-in:\s+(\S+) / (\S+)', output)
    assert len(logins) == 2, output
    server.start()
    rpc = server.login('accountant', 'accountant')
    residents = []
    for number, password in logins:
        account, = rpc.model('housing.account', 'search_read',
            [('number', '=', number)], 0, 1, None, ['id', 'premises'])
        receipts = rpc.model('housing.receipt', 'search_read',
            [('account', '=', account['id']), ('state', '=', 'current')],
            0, 1, [('period', 'DESC')], ['amount', 'id'])
        meters = rpc.model('housing.meter', 'search_read',
            [('premises', '=', account['premises']),
                ('kind', '=', 'individual')], 0, None, None,
            ['serial_number'])
        for receipt in receipts:
            # JSON-RPC sends a Decimal as an object.
            receipt['amount'] = receipt['amount']['decimal']
        residents.append(SimpleNamespace(number=number, password=password,
                id=account['id'], receipt=receipts[0] if receipts else None,
                meters=meters))
    return residents


def left_document(element):
    """Whether element is no longer in the page: stale, or, while chromium
    loads the next page, a node that "does not belong to the document"
    (the inspector's error for the same thing)."""
    from selenium.common.exceptions import (
        StaleElementReferenceException,
        WebDriverException,
    )

    def predicate(driver):
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if 'does not belong to the document' in str(error):
                return True
            raise
        return False
    return predicate


class Page:
    def __init__(self, driver, url):
        from selenium.webdriver.support.ui import WebDriverWait
        self.driver = driver
        self.url = url
        self.wait = WebDriverWait(driver, TIMEOUT, poll_frequency=0.1)

    def open(self, path=''):
        self.driver.get(self.url + path)
        return self

    def fill(self, values, submit=True, form=None):
        # The first form of the page's main part: the header holds the
        # log-out button.
        scope = form or self.driver.find_element('css selector', 'main form')
        for name, value in values.items():
            field = scope.find_element('css selector', '[name="%s"]' % name)
            field.clear()
            field.send_keys(value)
        if submit:
            self.click(scope.find_element(
                    'css selector', 'button[type=submit]'))
        return self

    def click(self, element):
        "Click element and wait for the page it leads to."
        old = self.driver.find_element('tag name', 'html')
        element.click()
        self.wait.until(left_document(old), 'the page did not change')

    def text(self):
        return self.driver.find_element('tag name', 'body').text

    def heading(self):
        return self.driver.find_element('tag name', 'h1').text

    def labelled(self):
        "Every form field has a label the screen reader reads."
        for field in self.driver.find_elements('css selector',
                'input:not([type=hidden]), select'):
            field_id = field.get_attribute('id')
            assert field_id and self.driver.find_elements('css selector',
                'label[for="%s"]' % field_id), field.get_attribute('name')

    def fits(self):
        "No horizontal scrolling of the page."
        return self.driver.execute_script(
            'return document.documentElement.scrollWidth '
            '<= window.innerWidth')

    def cookie(self, name):
        cookie = self.driver.get_cookie(name)
        return cookie['value'] if cookie else None


def fetch(url, session):
    "GET url with the session cookie of the browser: (status, body)."
    request = urllib.request.Request(url,
        headers={'Cookie': 'portal_session=%s' % session})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def log_in_first_time(page, resident):
    page.open('login')
    assert page.heading() == 'Вход'
    page.labelled()
    before = page.cookie('portal_session')
    page.fill({'login': resident.number, 'password': resident.password})
    # The first password must be changed before anything else.
    assert page.heading() == 'Смена пароля', page.text()
    assert 'первый вход' in page.text()
    session = page.cookie('portal_session')
    assert session and session != before
    page.labelled()
    page.fill({'current': resident.password, 'password': NEW_PASSWORD,
            'confirm': NEW_PASSWORD})
    assert page.heading() == 'Мои лицевые счета', page.text()
    assert 'Пароль изменён' in page.text()
    return session


def test_resident_flows(portal, tmp_path):
    first, second = portal.residents
    driver = portal.start()
    page = Page(driver, portal.url)
    session = log_in_first_time(page, first)
    assert first.number in page.text()
    assert second.number not in page.text()

    # Meter readings: the first meter, one more than its last reading.
    page.open('a/%s/readings' % first.id)
    page.labelled()
    assert first.meters, 'the demo account has no meter'
    form = driver.find_elements('css selector', 'main form')[0]
    last = re.search(r'Последние показания: ([\d,]+)', page.text())
    value = (float(last.group(1).replace(',', '.')) + 1.5 if last else 1.5)
    inputs = form.find_elements('css selector', 'input[name^=value]')
    for field in inputs:
        field.send_keys(('%.1f' % value).replace('.', ','))
    page.click(form.find_element('css selector', 'button'))
    assert 'приняты' in page.text(), page.text()

    # History with the chart, receipts, the payment page with its QR.
    page.open('a/%s/history' % first.id)
    assert driver.find_elements('css selector', 'svg.chart')
    page.open('a/%s/receipts' % first.id)
    links = driver.find_elements('css selector', 'a[download]')
    assert links, page.text()
    status, body = fetch(links[0].get_attribute('href'), session)
    assert status == 200 and body.startswith(b'%PDF')
    page.open('a/%s/pay' % first.id)
    assert 'Пени (оплачиваются отдельно)' in page.text()
    qr = driver.find_element('css selector', '.qr img')
    assert driver.execute_script(
        'return arguments[0].complete && arguments[0].naturalWidth > 0', qr)
    page.open('a/%s/movements' % first.id)
    assert 'Сальдо' in page.text()

    # Another resident's pages and receipt are not there for this one.
    for path in ['a/%s/payments' % second.id, 'a/%s/readings' % second.id]:
        page.open(path)
        assert 'Страница не найдена' in page.text()
        assert second.number not in page.text()
    if second.receipt:
        status, body = fetch(portal.url + 'receipt/%s/x.pdf'
            % second.receipt['id'], session)
        assert status == 404 and not body.startswith(b'%PDF')

    # Link the second flat by its number and last amount.
    if second.receipt:
        page.open('link')
        page.labelled()
        page.fill({'number': second.number,
                'amount': str(second.receipt['amount']).replace('.', ',')})
        assert 'привязан' in page.text(), page.text()
        assert second.number in page.text()

    # Profile: the e-mail verified through the mailed link.
    page.open('profile')
    page.labelled()
    email_form = driver.find_element('css selector',
        'form[action$="profile/email"]')
    page.fill({'email': 'resident@example.ru'}, form=email_form)
    assert 'отправили ссылку' in page.text(), page.text()
    driver.get(portal.inbox.link(1))
    page.open('profile')
    assert 'подтверждён' in page.text()
    receipt_form = driver.find_element('css selector',
        'form[action$="profile/e_receipt"]')
    receipt_form.find_element('css selector', 'input[type=checkbox]').click()
    page.click(receipt_form.find_element('css selector', 'button'))
    assert 'Сохранено' in page.text()

    # Profile: the phone and the notices of meetings by SMS too.
    section = '#notify-%s ' % first.id
    box = section + 'input[value="meeting:sms"]'
    assert not driver.find_element('css selector', box).is_selected()
    driver.find_element('css selector', box).click()
    page.fill({'phone': '8 (916) 555-44-33'},
        form=driver.find_element('css selector', section + 'form'))
    assert 'Телефон и настройки уведомлений сохранены' in page.text(), (
        page.text())
    page.open('profile')
    assert driver.find_element('css selector', box).is_selected()
    assert driver.find_element('css selector',
        section + 'input[value="meeting:email"]').is_selected()
    assert driver.find_element('css selector',
        section + 'input[name=phone]').get_attribute('value') == (
        '+79165554433')

    # English.
    page.click(driver.find_element('css selector', 'a[hreflang=en]'))
    assert page.heading() == 'Profile', page.text()
    page.open('')
    assert 'Meter readings' in page.text()
    driver.save_screenshot(str(tmp_path / 'dashboard.png'))

    # Log out; then the password reset by e-mail, and log-in by e-mail.
    page.click(driver.find_element('css selector', 'nav.top button'))
    assert page.heading() == 'Log in'
    page.open('reset')
    page.fill({'email': 'resident@example.ru'})
    assert 'If this address' in page.text()
    driver.get(portal.inbox.link(2))
    page.fill({'password': 'novyi-parol-77', 'confirm': 'novyi-parol-77'})
    assert 'Your password has been changed' in page.text(), page.text()
    page.click(driver.find_element('css selector', 'nav.top button'))
    page.fill({'login': 'resident@example.ru',
            'password': 'novyi-parol-77'})
    assert page.heading() == 'My personal accounts', page.text()


def test_phone_screen(portal, tmp_path):
    "Every page fits a 375×812 screen without sideways scrolling"
    _, resident = portal.residents
    driver = portal.start(375, 812)
    # A headless window is at least 500 pixels wide: a phone's screen is
    # emulated as the browser's device toolbar does.
    driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {
            'width': 375, 'height': 812, 'deviceScaleFactor': 2,
            'mobile': True})
    page = Page(driver, portal.url)
    log_in_first_time(page, resident)
    assert driver.execute_script('return window.innerWidth') == 375
    assert page.fits()
    for path in ['', 'a/%s/readings', 'a/%s/history', 'a/%s/payments',
            'a/%s/receipts', 'a/%s/movements', 'a/%s/pay', 'profile',
            'link']:
        page.open(path % resident.id if '%' in path else path)
        assert page.fits(), path
        button = driver.find_elements('css selector', 'main button')
        if button:
            # Big enough to touch.
            assert button[0].size['height'] >= 44
        driver.save_screenshot(str(tmp_path / (
                    'phone-%s.png' % path.split('/')[-1])))


def test_forms_refused_without_token(portal):
    "A log-in posted from elsewhere, without the form's token, is refused"
    first, _ = portal.residents
    data = ('login=%s&password=x' % first.number).encode()
    request = urllib.request.Request(portal.url + 'login', data=data)
    try:
        urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as error:
        assert error.code == 403
    else:
        raise AssertionError('a log-in without its token was accepted')
